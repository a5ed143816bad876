"""Tamper detection: each edit an attacker (or a crash) can make, and the line it is named at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.security.audit import Anchors, Broken, Intact, verify_logs
from tests.audit.support import lines, parse, reseal, write_lines, write_log

COUNT = 10  # line 1 is the header, record seq N is line N + 1


@pytest.fixture
async def log(tmp_path: Path) -> Path:
    path = tmp_path / "disclosure.log"
    await write_log(path, COUNT)
    return path


def broken(path: Path, anchors: Anchors | None = None) -> Broken:
    result = verify_logs([path], anchors)
    assert isinstance(result, Broken), result
    return result


def test_an_untouched_log_is_intact(log: Path) -> None:
    result = verify_logs([log])
    assert isinstance(result, Intact)
    assert (result.records, result.head_seq, result.files) == (COUNT, COUNT, 1)
    assert result.summary().startswith(f"ok: {COUNT} records (seq 1..{COUNT}, 1 file) from ")


def test_an_edited_field_is_named_at_its_line(log: Path) -> None:
    content = lines(log)
    content[4] = content[4].replace(b'"alice"', b'"bob01"')
    write_lines(log, content)
    result = broken(log)
    assert (result.line, result.file) == (5, log)
    assert "hash does not match its content (the record was edited)" in result.reason


def test_an_edited_record_with_a_recomputed_hash_breaks_the_next_link(log: Path) -> None:
    content = lines(log)
    content[4] = reseal({**parse(content[4]), "agency": "health"})
    write_lines(log, content)
    result = broken(log)
    assert result.line == 6
    assert "does not chain from line 5" in result.reason


def test_a_deleted_record(log: Path) -> None:
    content = lines(log)
    del content[4]  # seq 4
    write_lines(log, content)
    result = broken(log)
    assert result.line == 5
    assert "sequence jumps from 3 to 5: record 4 was deleted or moved" in result.reason


def test_two_swapped_records(log: Path) -> None:
    content = lines(log)
    content[4], content[5] = content[5], content[4]
    write_lines(log, content)
    result = broken(log)
    assert result.line == 5
    assert "record 4 was deleted or moved" in result.reason


def test_an_inserted_forged_record_with_its_own_hash_recomputed(log: Path) -> None:
    content = lines(log)
    before = parse(content[4])  # seq 4
    forged = reseal({**before, "seq": 5, "prev": before["hash"], "subject": "mallory"})
    content.insert(5, forged)
    write_lines(log, content)
    result = broken(log)
    # the forged line itself links perfectly; the genuine record after it cannot
    assert result.line == 7
    assert "sequence number 5 repeats: a record was inserted before this line" in result.reason


def test_an_inserted_record_that_does_not_link(log: Path) -> None:
    content = lines(log)
    forged = reseal({**parse(content[4]), "seq": 5, "subject": "mallory"})
    content.insert(5, forged)
    write_lines(log, content)
    result = broken(log)
    assert result.line == 6
    assert "does not chain from line 5" in result.reason


def test_a_truncated_file_ending_in_half_a_line(log: Path) -> None:
    data = log.read_bytes()
    log.write_bytes(data[: len(data) - len(lines(log)[-1]) // 2])
    result = broken(log)
    assert result.line == COUNT + 1
    assert "incomplete line: the file ends in the middle of a record" in result.reason


def test_a_removed_tail_is_invisible_alone_and_caught_by_an_anchor(log: Path) -> None:
    content = lines(log)
    last = parse(content[-1])
    write_lines(log, content[:-3])
    alone = verify_logs([log])
    assert isinstance(alone, Intact)
    assert alone.records == COUNT - 3
    by_count = broken(log, Anchors(expect_count=COUNT))
    assert by_count.line == COUNT - 1
    assert "records 8..10 were removed from the end" in by_count.reason
    by_last = broken(log, Anchors(expect_last=last["hash"]))
    assert "the tail was removed or rewritten" in by_last.reason
    by_anchor = broken(log, Anchors(points={COUNT: last["hash"]}))
    assert "names a later record: the tail was removed" in by_anchor.reason


def test_anchors_that_hold_and_a_log_that_grew_past_its_expected_end(log: Path) -> None:
    content = lines(log)
    seventh = parse(content[7])
    assert isinstance(
        verify_logs(
            [log],
            Anchors(
                points={7: seventh["hash"]},
                expect_count=COUNT,
                expect_last=parse(content[-1])["hash"],
            ),
        ),
        Intact,
    )
    grew = broken(log, Anchors(expect_last=seventh["hash"]))
    assert grew.line == 9
    assert "lines follow the expected last record (line 8)" in grew.reason
    assert "beyond the 7 records expected" in broken(log, Anchors(expect_count=7)).reason


def test_a_rewritten_tail_is_caught_by_an_earlier_anchor(log: Path) -> None:
    content = lines(log)
    anchored = parse(content[8])  # seq 8, reported to the application log earlier
    previous = parse(content[5])["hash"]
    for index in range(6, len(content)):  # rewrite seq 6.. with every hash recomputed
        raw = {**parse(content[index]), "subject": "nobody", "prev": previous}
        content[index] = reseal(raw)
        previous = parse(content[index])["hash"]
    write_lines(log, content)
    assert isinstance(verify_logs([log]), Intact)  # a full rewrite is self-consistent
    result = broken(log, Anchors(points={8: anchored["hash"]}))
    assert result.line == 9
    assert "does not have the anchored hash" in result.reason


async def test_a_record_copied_from_another_log_is_named(log: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.log"
    await write_log(other, COUNT)
    content = lines(log)
    content[4] = lines(other)[4]  # same seq, valid hash, valid link in its own log
    write_lines(log, content)
    result = broken(log)
    assert result.line == 5
    assert "(copied from another log)" in result.reason


async def test_two_logs_spliced_together(log: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.log"
    await write_log(other, 2)
    write_lines(log, lines(log) + lines(other))
    result = broken(log)
    assert result.line == COUNT + 2
    assert "a second log header" in result.reason


def test_a_removed_header(log: Path) -> None:
    write_lines(log, lines(log)[1:])
    result = broken(log)
    assert result.line == 1
    assert "the beginning of the log was removed" in result.reason


def test_an_edited_header(log: Path) -> None:
    content = lines(log)
    content[0] = content[0].replace(b'"time":"2', b'"time":"1')
    write_lines(log, content)
    result = broken(log)
    assert result.line == 1
    assert "the header's hash does not match" in result.reason


def test_a_forged_header_with_another_genesis(log: Path) -> None:
    content = lines(log)
    content[0] = reseal({**parse(content[0]), "prev": "0" * 64})
    write_lines(log, content)
    result = broken(log)
    assert result.line == 1
    assert "genesis" in result.reason


def test_a_line_rewritten_by_a_tool_that_reorders_or_pads_keys(log: Path) -> None:
    content = lines(log)
    content[3] = json.dumps(parse(content[3]), indent=None).encode() + b"\n"
    write_lines(log, content)
    result = broken(log)
    assert result.line == 4
    assert "not in canonical form" in result.reason


def test_a_duplicated_key_cannot_smuggle_a_second_value(log: Path) -> None:
    content = lines(log)
    content[3] = content[3].replace(b'{"agency"', b'{"subject":"mallory","agency"', 1)
    write_lines(log, content)
    result = broken(log)
    assert result.line == 4
    assert "not in canonical form" in result.reason


def test_an_empty_line_and_garbage_in_the_middle(log: Path) -> None:
    content = lines(log)
    write_lines(log, [*content[:3], b"\n", *content[3:]])
    assert "empty line" in broken(log).reason
    write_lines(log, [*content[:3], b"\x00\xff garbage\n", *content[3:]])
    result = broken(log)
    assert result.line == 4
    assert "not a JSON record" in result.reason
