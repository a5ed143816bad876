"""Check a disclosure log's chain: every line whole, canonical, self-hashed and linked.

Streams the files once, keeping only the previous line's hash, so a log of any
size is checked in constant memory. The answer is a value, not an exception:
:class:`Intact` (with the head to anchor) or :class:`Broken` (the first bad line
and why). Input that is not a disclosure log at all raises :class:`LogUnreadable`.

What the file alone can and cannot show: an edited, deleted, reordered or
inserted line, a torn last line, a record from another log, a missing header and
a broken link between rotated files are all detected. Lines removed from the
end of the newest file leave a shorter but valid chain; that is detected only
against something kept outside the file: the expected last hash, the expected
record count, or an ``anchor`` (``seq:hash``) the log wrote to the application
log. Equally, someone who can rewrite the whole file can recompute every hash
from the edit onwards; anchors (or a SIEM that received each line as it was
written) are what expose such a rewrite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from aggregator.security.audit.errors import DisclosureLogError
from aggregator.security.audit.records import (
    DisclosureRecord,
    LogHeader,
    PreviousLog,
    canonical,
    genesis_hash,
    line_hash,
)

__all__ = ["Anchors", "Broken", "Intact", "LogUnreadable", "verify_logs"]

_MAX_LINE = 16 << 20


class LogUnreadable(DisclosureLogError):
    """The input cannot be checked at all: missing, unreadable, empty or not a log."""


@dataclass(frozen=True, slots=True)
class Anchors:
    """What is known from outside the file (see the module docstring)."""

    expect_last: str | None = None  # hash of the last line
    expect_count: int | None = None  # the last sequence number
    points: Mapping[int, str] = field(default_factory=dict)  # seq -> hash


@dataclass(frozen=True, slots=True)
class Intact:
    files: int
    records: int
    first_seq: int
    first_time: str
    last_time: str
    log: str
    head_seq: int
    head_hash: str
    continues: PreviousLog | None

    def summary(self) -> str:
        files = "1 file" if self.files == 1 else f"{self.files} files"
        span = f"seq {self.first_seq}..{self.head_seq}, " if self.records else ""
        records = "1 record" if self.records == 1 else f"{self.records} records"
        text = (
            f"ok: {records} ({span}{files}) from {self.first_time} to {self.last_time}; "
            f"log {self.log}; head {self.head_seq}:{self.head_hash}"
        )
        if self.continues is not None:
            text += (
                f"; continues log {self.continues.log} after seq {self.continues.seq} "
                f"({self.continues.file})"
            )
        return text


@dataclass(frozen=True, slots=True)
class Broken:
    file: Path
    line: int
    reason: str

    def summary(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def verify_logs(paths: Sequence[Path], anchors: Anchors | None = None) -> Intact | Broken:
    """Verify one log, or several in rotation order (each continuing the one before)."""
    if not paths:
        raise LogUnreadable("no log file given")
    return _Verifier(anchors or Anchors()).run(paths)


class _Broken(Exception):
    def __init__(self, line: int, reason: str, path: Path | None = None) -> None:
        self.line = line
        self.reason = reason
        self.path = path


class _Verifier:
    def __init__(self, anchors: Anchors) -> None:
        self.anchors = anchors
        self.log = ""
        self.seq = 0
        self.hash = ""
        self.line = 0
        self.end: PreviousLog | None = None  # where the previous file stopped
        self.continues: PreviousLog | None = None
        self.records = 0
        self.first_seq = 0
        self.first_time = ""
        self.last_time = ""
        self.expected_last_at: tuple[Path, int] | None = None
        self.anchored: dict[int, bool] = {}
        self.anchor_mismatch: tuple[Path, int, int] | None = None

    def run(self, paths: Sequence[Path]) -> Intact | Broken:
        path = paths[0]
        try:
            for path in paths:
                self.file(path)
            self.check_anchors()
        except _Broken as broken:
            return Broken(broken.path or path, broken.line, broken.reason)
        return Intact(
            files=len(paths),
            records=self.records,
            first_seq=self.first_seq,
            first_time=self.first_time,
            last_time=self.last_time,
            log=self.log,
            head_seq=self.seq,
            head_hash=self.hash,
            continues=self.continues,
        )

    def file(self, path: Path) -> None:
        try:
            with path.open("rb") as stream:
                self.header(path, stream)
                while True:
                    data = stream.readline(_MAX_LINE)
                    if not data:
                        break
                    self.line += 1
                    self.record(path, data)
        except OSError as exc:
            raise LogUnreadable(f"cannot read {path}: {exc.strerror or exc}") from None
        self.end = PreviousLog(log=self.log, seq=self.seq, hash=self.hash, file=path.name)

    def header(self, path: Path, stream: BinaryIO) -> None:
        data = stream.readline(_MAX_LINE)
        self.line = 1
        if not data:
            raise LogUnreadable(f"{path} is empty: not a disclosure log (or truncated to nothing)")
        try:
            raw = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise LogUnreadable(
                f"{path} is not a disclosure log: line 1 is not a JSON log header"
            ) from None
        if not isinstance(raw, dict) or raw.get("kind") not in (
            LogHeader.KIND,
            DisclosureRecord.KIND,
        ):
            raise LogUnreadable(f"{path} is not a disclosure log: line 1 is not a log header")
        if raw["kind"] == DisclosureRecord.KIND:
            raise _Broken(
                1,
                "the file starts with a record, not the log header: the "
                "beginning of the log was removed",
            )
        self.whole(data, raw)
        try:
            header = LogHeader.from_json(raw)
        except ValueError as exc:
            raise _Broken(1, f"malformed log header: {exc}") from None
        if header.prev != genesis_hash(header.log):
            raise _Broken(
                1, "the header's prev is not the genesis value of its log id (edited or forged)"
            )
        self.own_hash(raw, header.hash, "header")
        if self.end is None:
            self.continues = header.previous
        elif header.previous != self.end:
            raise _Broken(1, self.not_continued(header.previous))
        self.log, self.seq, self.hash = header.log, header.seq, header.hash
        if not self.first_time:
            self.first_time = self.last_time = header.time
        self.after_line(path, header.seq, header.hash)

    def not_continued(self, previous: PreviousLog | None) -> str:
        assert self.end is not None
        ends = f"ends at seq {self.end.seq} with hash {self.end.hash}"
        if previous is None:
            return (
                f"this log does not continue {self.end.file} (which {ends}): it starts a new chain"
            )
        return (
            f"the header says the previous log ended at seq {previous.seq} with hash "
            f"{previous.hash}, but {self.end.file} {ends} (records removed from its end, "
            "or files out of order)"
        )

    def record(self, path: Path, data: bytes) -> None:
        line = self.line
        if not data.endswith(b"\n"):
            raise _Broken(
                line,
                "incomplete line: the file ends in the middle of a record "
                "(truncated, or a write was interrupted)"
                if len(data) < _MAX_LINE
                else "line longer than 16 MiB",
            )
        if not data.strip():
            raise _Broken(line, "empty line (lines were edited)")
        try:
            raw = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise _Broken(line, "not a JSON record (edited, or bytes overwritten)") from None
        if not isinstance(raw, dict):
            raise _Broken(line, "not a JSON object (edited)")
        if raw.get("kind") == LogHeader.KIND:
            raise _Broken(line, "a second log header inside the file (another log spliced in)")
        other = raw.get("log")
        if isinstance(other, str) and other != self.log:
            raise _Broken(
                line,
                f"the record belongs to log {other}, not to this file's log "
                f"{self.log} (copied from another log)",
            )
        self.whole(data, raw)
        try:
            record = DisclosureRecord.from_json(raw)
        except ValueError as exc:
            raise _Broken(line, f"malformed record: {exc}") from None
        self.own_hash(raw, record.hash, "record")
        expected = self.seq + 1
        if record.seq > expected:
            missing = (
                str(expected) if record.seq == expected + 1 else f"{expected}..{record.seq - 1}"
            )
            raise _Broken(
                line,
                f"sequence jumps from {self.seq} to {record.seq}: record "
                f"{missing} was deleted or moved",
            )
        if record.seq == self.seq:
            raise _Broken(
                line,
                f"sequence number {record.seq} repeats: a record was inserted before this line",
            )
        if record.seq < expected:
            raise _Broken(
                line, f"sequence goes back from {self.seq} to {record.seq}: records were reordered"
            )
        if record.prev != self.hash:
            raise _Broken(
                line,
                f"does not chain from line {line - 1} (its prev is not that "
                "line's hash): a record before this line was replaced or "
                "re-hashed",
            )
        self.seq, self.hash = record.seq, record.hash
        if not self.records:
            self.first_seq, self.first_time = record.seq, record.time
        self.records += 1
        self.last_time = record.time
        self.after_line(path, record.seq, record.hash)

    def whole(self, data: bytes, raw: dict[str, Any]) -> None:
        if not data.endswith(b"\n"):
            raise _Broken(
                self.line,
                "incomplete line: the file ends in the middle of a "
                "record (truncated, or a write was interrupted)",
            )
        if canonical(raw) != data[:-1]:
            raise _Broken(
                self.line, "the line is not in canonical form (edited by hand or by a tool)"
            )

    def own_hash(self, raw: dict[str, Any], claimed: str, what: str) -> None:
        if line_hash(raw) != claimed:
            raise _Broken(
                self.line, f"the {what}'s hash does not match its content (the {what} was edited)"
            )

    def after_line(self, path: Path, seq: int, digest: str) -> None:
        if self.anchors.expect_last is not None and digest == self.anchors.expect_last:
            self.expected_last_at = (path, self.line)
        expected = self.anchors.points.get(seq)
        if expected is None:
            return
        if digest == expected:
            self.anchored[seq] = True
        elif self.anchor_mismatch is None:
            self.anchor_mismatch = (path, self.line, seq)

    def check_anchors(self) -> None:
        end = self.line + 1
        for seq, expected in sorted(self.anchors.points.items()):
            if self.anchored.get(seq):
                continue
            if seq > self.seq:
                raise _Broken(
                    end,
                    f"the log ends at seq {self.seq}, but the anchor "
                    f"{seq}:{expected} names a later record: the tail was "
                    "removed",
                )
            if self.anchor_mismatch is not None and self.anchor_mismatch[2] == seq:
                where, line, _ = self.anchor_mismatch
                raise _Broken(
                    line,
                    f"seq {seq} does not have the anchored hash {expected}: "
                    "the log was rewritten from here or before",
                    where,
                )
            raise _Broken(
                end,
                f"no line has seq {seq}: the anchor {seq}:{expected} is not part of these files",
            )
        count = self.anchors.expect_count
        if count is not None and count != self.seq:
            if count > self.seq:
                raise _Broken(
                    end,
                    f"the log ends at seq {self.seq}, but {count} records were "
                    f"expected: records {self.seq + 1}..{count} were removed "
                    "from the end",
                )
            raise _Broken(
                end - 1, f"the log goes on to seq {self.seq}, beyond the {count} records expected"
            )
        last = self.anchors.expect_last
        if last is not None and last != self.hash:
            if self.expected_last_at is not None:
                where, line = self.expected_last_at
                raise _Broken(
                    line + 1, f"lines follow the expected last record (line {line})", where
                )
            raise _Broken(
                end,
                f"the expected last hash {last} is not in the log (the log "
                f"ends at seq {self.seq} with {self.hash}): the tail was "
                "removed or rewritten",
            )
