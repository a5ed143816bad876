"""Writing the disclosure log: one chain under concurrency, restarts, locks, back-pressure."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from aggregator.config import FsyncPolicy
from aggregator.security.audit import (
    Anchors,
    Broken,
    Disclosure,
    DisclosureLog,
    DisclosureLogOpenError,
    DisclosureLogUnavailable,
    Intact,
    verify_logs,
)
from aggregator.security.audit.records import canonical
from tests.audit.support import (
    config,
    disclosure,
    files,
    lines,
    parse,
    write_lines,
    write_log,
)


async def test_a_thousand_concurrent_records_from_many_tasks_form_one_chain(
    tmp_path: Path,
) -> None:
    path = tmp_path / "disclosure.log"

    async def client(log: DisclosureLog, task: int) -> list[int]:
        seqs = []
        for i in range(20):
            record = await log.record(disclosure(task * 100 + i, subject=f"user{task}"))
            seqs.append(record.seq)
        return seqs

    async with await DisclosureLog.open(config(path)) as log:
        per_task = await asyncio.gather(*(client(log, task) for task in range(50)))

    every = sorted(seq for seqs in per_task for seq in seqs)
    assert every == list(range(1, 1001))  # each record got its own number, none lost
    assert all(seqs == sorted(seqs) for seqs in per_task)
    written = [parse(line) for line in lines(path)]
    assert [raw["seq"] for raw in written] == list(range(1001))  # file order is chain order
    assert len({raw["subject"] for raw in written[1:]}) == 50
    result = verify_logs([path])
    assert isinstance(result, Intact), result
    assert (result.records, result.first_seq, result.head_seq) == (1000, 1, 1000)
    assert result.head_hash == written[-1]["hash"]


async def test_records_hold_what_was_released_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    document = "query Q($id: ID!) { person(id: $id) { taxId } }"
    given = Disclosure.of_operation(
        document,
        subject="alice",
        agency="tax",
        purpose="audit",
        operation_name="Q",
        coordinates=["Person.taxId", "Person.income", "Person.taxId"],
        subgraphs=["tax", "identity", "tax"],
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
    )
    async with await DisclosureLog.open(config(path)) as log:
        record = await log.record(given)
    raw = parse(lines(path)[1])
    assert raw == record.to_json()
    assert raw["operation_hash"] == hashlib.sha256(document.encode()).hexdigest()
    assert raw["coordinates"] == ["Person.income", "Person.taxId"]
    assert raw["subgraphs"] == ["identity", "tax"]
    assert set(raw) == {
        "v",
        "kind",
        "log",
        "seq",
        "time",
        "subject",
        "agency",
        "purpose",
        "operation_name",
        "operation_hash",
        "coordinates",
        "subgraphs",
        "trace_id",
        "prev",
        "hash",
    }
    assert time.strptime(raw["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert len(raw["time"].split(".")[1]) == 7  # six digits of microseconds and Z
    assert oct(path.stat().st_mode & 0o777) == "0o640"


def test_a_disclosure_refuses_values_where_names_belong() -> None:
    with pytest.raises(ValueError, match="coordinates"):
        Disclosure.of_operation(
            "{ a }",
            subject=None,
            agency=None,
            purpose=None,
            operation_name=None,
            coordinates=["Person.taxId=123-45-6789"],
            subgraphs=["tax"],
        )
    with pytest.raises(TypeError, match="not one string"):
        Disclosure.of_operation(
            "{ a }",
            subject=None,
            agency=None,
            purpose=None,
            operation_name=None,
            coordinates="Person.taxId",
            subgraphs=["tax"],
        )
    with pytest.raises(ValueError, match="operation_hash"):
        Disclosure(
            subject=None,
            agency=None,
            purpose=None,
            operation_name=None,
            operation_hash="{ a }",
            coordinates=(),
            subgraphs=(),
        )


def test_the_canonical_form_is_what_ordinary_json_tools_produce() -> None:
    tricky = {
        "z": 'quote " backslash \\ tab \t nl \n ctl \x01 del \x7f',
        "a": ["é ü 漢字 \u2028 \u2029 😀", "</script>"],
        "m": None,
        "n": 12,
    }
    assert (
        canonical(tricky)
        == json.dumps(tricky, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


async def test_a_restart_continues_the_chain_in_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    first = await write_log(path, 3)
    second = await write_log(path, 2)
    assert [r.seq for r in second] == [4, 5]
    assert second[0].prev == max(first, key=lambda r: r.seq).hash
    assert second[0].log == first[0].log
    assert sum(1 for line in lines(path) if parse(line)["kind"] == "header") == 1
    result = verify_logs([path])
    assert isinstance(result, Intact)
    assert result.records == 5


async def test_an_empty_log_restarts_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    await write_log(path, 0)
    records = await write_log(path, 1)
    assert records[0].seq == 1
    assert records[0].prev == parse(lines(path)[0])["hash"]


async def test_open_refuses_to_chain_over_a_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    await write_log(path, 3)
    data = path.read_bytes()
    path.write_bytes(data[:-40])
    with pytest.raises(DisclosureLogOpenError, match="last line is incomplete") as info:
        await DisclosureLog.open(config(path))
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    assert path.read_bytes() == data[:-40]  # nothing was appended after the torn line


async def test_open_refuses_an_edited_last_line(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    await write_log(path, 3)
    content = lines(path)
    content[-1] = content[-1].replace(b'"alice"', b'"mallory"')
    write_lines(path, content)
    with pytest.raises(DisclosureLogOpenError, match="does not match its content"):
        await DisclosureLog.open(config(path))


async def test_open_fails_closed_when_the_path_cannot_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with pytest.raises(DisclosureLogOpenError, match=r"cannot open disclosure log .* for append"):
        await DisclosureLog.open(config(blocker / "d.log"))
    with pytest.raises(DisclosureLogOpenError, match="cannot open"):
        await DisclosureLog.open(config(tmp_path))  # a directory


async def test_a_second_writer_on_the_same_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    async with await DisclosureLog.open(config(path)) as log:
        await log.record(disclosure(1))
        with pytest.raises(DisclosureLogOpenError, match=r"in use by another process.*\{pid\}"):
            await DisclosureLog.open(config(path))
        script = (
            "import asyncio, sys\n"
            "from pathlib import Path\n"
            "from aggregator.config import AuditConfig\n"
            "from aggregator.security.audit import DisclosureLog, DisclosureLogOpenError\n"
            "try:\n"
            f"    log_config = AuditConfig(enabled=True, path=Path({str(path)!r}))\n"
            "    asyncio.run(DisclosureLog.open(log_config))\n"
            "except DisclosureLogOpenError as exc:\n"
            "    print(exc); sys.exit(3)\n"
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await proc.communicate()
        assert proc.returncode == 3
        assert b"in use by another process" in out
        await log.record(disclosure(2))
    assert isinstance(verify_logs([path]), Intact)
    await write_log(path, 1)  # the lock went with the writer


async def test_each_process_gets_its_own_file_with_the_pid_placeholder(tmp_path: Path) -> None:
    template = tmp_path / "d-{pid}.log"
    script = (
        "import asyncio\n"
        "from pathlib import Path\n"
        "from tests.audit.support import write_log\n"
        f"asyncio.run(write_log(Path({str(template)!r}), 200))\n"
    )
    procs = [await asyncio.create_subprocess_exec(sys.executable, "-c", script) for _ in range(2)]
    assert [await proc.wait() for proc in procs] == [0, 0]
    written = files(tmp_path, "d-*.log")
    assert sorted(f.name for f in written) == sorted(f"d-{p.pid}.log" for p in procs)
    for file in written:
        result = verify_logs([file])
        assert isinstance(result, Intact)
        assert result.records == 200


async def test_a_full_queue_makes_requests_wait_then_fail_and_never_drops(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.log"
    gate = threading.Event()

    def slow_disk(fd: int, data: memoryview) -> int:
        gate.wait()
        return os.write(fd, data)

    log = await DisclosureLog.open(config(path, queue_size=2, queue_timeout_s=0.5), write=slow_disk)
    try:
        held = [asyncio.ensure_future(log.record(disclosure(i))) for i in (1, 2)]
        await asyncio.sleep(0)
        with pytest.raises(DisclosureLogUnavailable, match=r"no free queue slot within 0\.5s"):
            await log.record(disclosure(3))
        waiting = asyncio.ensure_future(log.record(disclosure(4)))
        await asyncio.sleep(0)
        assert not any(task.done() for task in [*held, waiting])
        gate.set()
        records = [*await asyncio.gather(*held), await waiting]
    finally:
        gate.set()
        await log.close()
    assert [r.seq for r in records] == [1, 2, 3]  # the refused request took no number
    assert [r.operation_name for r in records] == ["Person1", "Person2", "Person4"]
    result = verify_logs([path])
    assert isinstance(result, Intact)
    assert result.records == 3


WRITE_UNTIL_THE_DISK_FAILS = """
import asyncio, resource, signal, sys
from pathlib import Path
from aggregator.security.audit import DisclosureLog, DisclosureLogUnavailable
from tests.audit.support import config, disclosure

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk, as EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))

async def main():
    log = await DisclosureLog.open(config(Path(sys.argv[1])))
    written = 0
    try:
        while True:
            await log.record(disclosure(written))
            written += 1
    except DisclosureLogUnavailable as exc:
        print(written, "|", exc)
    try:
        await log.record(disclosure(99))
    except DisclosureLogUnavailable as exc:
        print("after |", exc)
    await log.close()

asyncio.run(main())
"""


async def test_a_failed_write_fails_closed_and_the_torn_tail_stops_the_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.log"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITE_UNTIL_THE_DISK_FAILS, str(path), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0
    first, after = out.decode().splitlines()
    written = int(first.split(" | ")[0])
    assert written >= 1
    assert "failed" in first
    assert "restarted" in first
    assert "failed" in after  # every later request is refused too
    result = verify_logs([path])
    assert isinstance(result, Broken)
    assert result.line == written + 2
    assert "incomplete" in result.reason
    with pytest.raises(DisclosureLogOpenError, match="incomplete"):
        await DisclosureLog.open(config(path))


async def test_fsync_interval_policy_writes_the_same_chain(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    records = await write_log(path, 50, fsync=FsyncPolicy.INTERVAL, fsync_interval_s=0.01)
    result = verify_logs([path])
    assert isinstance(result, Intact)
    assert result.head_hash == max(records, key=lambda r: r.seq).hash


async def test_the_head_is_anchored_in_the_application_log(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "d.log"
    with caplog.at_level(logging.INFO, logger="aggregator.audit"):
        records = await write_log(path, 5)
    last = max(records, key=lambda r: r.seq)
    messages = [r.getMessage() for r in caplog.records if r.name == "aggregator.audit"]
    assert any(m.endswith(f"closed: log={last.log} anchor=5:{last.hash}") for m in messages)
    anchor = messages[-1].rsplit("anchor=", 1)[1]
    seq, digest = anchor.split(":")
    assert isinstance(verify_logs([path], Anchors(points={int(seq): digest})), Intact)


async def test_rotation_starts_a_file_whose_header_names_the_last_hash(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.log"
    async with await DisclosureLog.open(config(path, rotate_bytes=4096)) as log:
        for i in range(20):
            await log.record(disclosure(i))
        rotated_by_hand = await log.rotate()
        await log.record(disclosure(20))
    rotated = files(tmp_path, "d.log.*")
    assert rotated_by_hand in rotated
    assert len(rotated) >= 3
    chain = [*rotated, path]
    result = verify_logs(chain)
    assert isinstance(result, Intact), result
    assert (result.records, result.files, result.head_seq) == (21, len(chain), 21)
    newest = verify_logs([path])
    assert isinstance(newest, Intact)
    assert newest.continues is not None
    assert newest.continues.file == rotated_by_hand.name
    assert newest.summary().endswith(f"({rotated_by_hand.name})")
    # the rotated file lost its tail: the next file's header gives it away
    content = lines(rotated[0])
    write_lines(rotated[0], content[:-1])
    broken = verify_logs(chain)
    assert isinstance(broken, Broken)
    assert (broken.file, broken.line) == (rotated[1], 1)
    assert "records removed from its end" in broken.reason


async def test_a_closed_log_refuses_records(tmp_path: Path) -> None:
    log = await DisclosureLog.open(config(tmp_path / "d.log"))
    await log.close()
    await log.close()  # idempotent
    with pytest.raises(DisclosureLogUnavailable, match="closed"):
        await log.record(disclosure(1))
