"""``aggregator audit verify`` as an operator runs it: the installed console script."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.audit.support import AGGREGATOR, cut, files, lines, parse, write_lines, write_log


async def run(*args: str | Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        AGGREGATOR, *map(str, args), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    assert "Traceback" not in err.decode()
    return proc.returncode, out.decode(), err.decode()


@pytest.fixture
async def log(tmp_path: Path) -> Path:
    path = tmp_path / "disclosure.log"
    await write_log(path, 5)
    return path


async def test_an_intact_log_exits_0_with_one_summary_line(log: Path) -> None:
    head = parse(lines(log)[-1])
    code, out, err = await run("audit", "verify", log)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    assert out.startswith("ok: 5 records (seq 1..5, 1 file) from ")
    assert f"head 5:{head['hash']}" in out
    first, last = parse(lines(log)[1])["time"], head["time"]
    assert f"from {first} to {last};" in out


async def test_a_tampered_log_exits_1_naming_the_line(log: Path) -> None:
    content = lines(log)
    content[2] = content[2].replace(b'"tax"', b'"dmv"', 1)
    write_lines(log, content)
    code, out, _ = await run("audit", "verify", log)
    assert code == 1
    assert out == f"{log}:3: the record's hash does not match its content (the record was edited)\n"


async def test_a_truncated_last_line_exits_1(log: Path) -> None:
    cut(log, 25)
    code, out, _ = await run("audit", "verify", log)
    assert code == 1
    assert out.startswith(f"{log}:6: incomplete line")


async def test_a_removed_tail_is_caught_with_the_anchor_options(log: Path) -> None:
    content = lines(log)
    head = parse(content[-1])["hash"]
    write_lines(log, content[:-1])
    assert (await run("audit", "verify", log))[0] == 0
    code, out, _ = await run("audit", "verify", log, "--expect-count", "5")
    assert code == 1
    assert "records 5..5 were removed from the end" in out
    code, out, _ = await run("audit", "verify", log, "--expect-last", head)
    assert code == 1
    assert "the tail was removed or rewritten" in out
    code, out, _ = await run("audit", "verify", log, "--anchor", f"5:{head}")
    assert code == 1
    assert "the tail was removed" in out


async def test_rotated_files_are_verified_in_order(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    await write_log(path, 40, rotate_bytes=8192)
    chain = [*files(tmp_path, "d.log.*"), path]
    assert len(chain) >= 2
    code, out, _ = await run("audit", "verify", *chain)
    assert code == 0
    assert f"(seq 1..40, {len(chain)} files)" in out
    code, out, _ = await run("audit", "verify", *reversed(chain))
    assert code == 1
    assert ":1: " in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        (b"", "is empty: not a disclosure log"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "is not a disclosure log"),
        (b'{"hello": "world"}\n', "is not a disclosure log"),
        (b"[1, 2, 3]", "is not a disclosure log"),
    ],
)
async def test_unusable_input_exits_2_with_one_line(
    tmp_path: Path,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / "input.log"
    if content is not None:
        path.write_bytes(content)
    code, out, err = await run("audit", "verify", path)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("aggregator: error: ")
    assert message in err


async def test_a_directory_and_bad_options_exit_2(tmp_path: Path, log: Path) -> None:
    code, _, err = await run("audit", "verify", tmp_path)
    assert code == 2
    assert "cannot read" in err
    assert err.count("\n") == 1
    code, _, err = await run("audit", "verify", log, "--anchor", "five:abc")
    assert code == 2
    assert "expected a whole number" in err
    code, _, err = await run("audit", "verify", log, "--expect-last", "xyz")
    assert code == 2
    assert "expected 64 hex digits" in err
    code, _, err = await run("audit")
    assert code == 2
    assert "verify" in err
