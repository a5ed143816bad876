"""What one line of the disclosure log holds, and how its hash is computed.

A log file is JSON lines. Line 1 is a :class:`LogHeader` naming a random log
id; every other line is a :class:`DisclosureRecord`, numbered one more than
the line before (a fresh log's header is ``seq`` 0; after a rotation the new
header repeats the old log's last ``seq``, so numbers run on across files). Each line
carries ``prev`` (the hash of the line before it) and ``hash``::

    hash    = sha256(canonical(line without "hash")), lowercase hex
    genesis = sha256("aggregator/disclosure-log/v1\\0" + log id)   (the header's prev)

``canonical`` is JSON with keys sorted, no insignificant whitespace, UTF-8, and
only strings, integers, null and lists of strings as values: for these the
output of orjson, of Python's ``json.dumps(sort_keys=True, separators=(",",
":"), ensure_ascii=False)`` and of RFC 8785 (JCS) is the same, so anyone can
re-check a line with ordinary tools. Because the genesis comes from the log id
and every record repeats the id, lines from two logs cannot be spliced.

What is never a field, and so never written: tokens, claims other than
subject/agency/purpose, variables, arguments and field values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import orjson

__all__ = [
    "FORMAT_VERSION",
    "Disclosure",
    "DisclosureRecord",
    "LogHeader",
    "PreviousLog",
    "canonical",
    "genesis_hash",
    "line_hash",
    "operation_hash",
]

FORMAT_VERSION = 1
_GENESIS_PREFIX = b"aggregator/disclosure-log/v1\x00"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_LOG_ID = re.compile(r"^[0-9a-f]{32}$")
_COORDINATE = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$")
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z-]*$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


def canonical(value: Mapping[str, Any]) -> bytes:
    """The bytes a line's hash is computed over (and, with ``hash`` added, the line itself)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def line_hash(value: Mapping[str, Any]) -> str:
    """sha256 of the canonical form of ``value`` without its ``hash`` key."""
    body = {key: item for key, item in value.items() if key != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


def genesis_hash(log_id: str) -> str:
    """The ``prev`` of a log's header: fixed by the log id, so no other log can chain into it."""
    return hashlib.sha256(_GENESIS_PREFIX + log_id.encode("ascii")).hexdigest()


def operation_hash(document: str) -> str:
    """sha256 of the operation document text (the same hash APQ clients send)."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def _names(values: Iterable[str], pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise TypeError(f"{what} must be a collection of strings, not one string")
    out = sorted(set(values))
    for value in out:
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(f"{what}: {value!r} is not a valid name")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What the gateway hands the log for one operation that released sensitive fields.

    Plain data on purpose: the log knows nothing about tokens or authorization.
    ``coordinates`` (``Type.field``) and ``subgraphs`` are sorted and de-duplicated
    here, so equal releases give equal records whatever order the planner used.
    """

    subject: str | None
    agency: str | None
    purpose: str | None
    operation_name: str | None
    operation_hash: str
    coordinates: tuple[str, ...]
    subgraphs: tuple[str, ...]
    trace_id: str | None = None

    def __post_init__(self) -> None:
        if not _HEX64.match(self.operation_hash):
            raise ValueError("operation_hash must be 64 lowercase hex digits (sha256)")
        if self.trace_id is not None and not _TRACE_ID.match(self.trace_id):
            raise ValueError("trace_id must be 32 lowercase hex digits (W3C trace id)")
        object.__setattr__(
            self, "coordinates", _names(self.coordinates, _COORDINATE, "coordinates")
        )
        object.__setattr__(self, "subgraphs", _names(self.subgraphs, _NAME, "subgraphs"))

    @classmethod
    def of_operation(
        cls,
        document: str,
        *,
        subject: str | None,
        agency: str | None,
        purpose: str | None,
        operation_name: str | None,
        coordinates: Iterable[str],
        subgraphs: Iterable[str],
        trace_id: str | None = None,
    ) -> Disclosure:
        """Build one from the operation's document text (hashed, never stored)."""
        return cls(
            subject=subject,
            agency=agency,
            purpose=purpose,
            operation_name=operation_name,
            operation_hash=operation_hash(document),
            coordinates=_names(coordinates, _COORDINATE, "coordinates"),
            subgraphs=_names(subgraphs, _NAME, "subgraphs"),
            trace_id=trace_id,
        )


@dataclass(frozen=True, slots=True)
class DisclosureRecord:
    """One written disclosure: the :class:`Disclosure` plus its place in the chain."""

    log: str
    seq: int
    time: str  # UTC, RFC 3339 with microseconds: 2025-03-01T09:30:00.123456Z
    subject: str | None
    agency: str | None
    purpose: str | None
    operation_name: str | None
    operation_hash: str
    coordinates: tuple[str, ...]
    subgraphs: tuple[str, ...]
    trace_id: str | None
    prev: str
    hash: str

    KIND = "disclosure"

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "kind": self.KIND,
            "log": self.log,
            "seq": self.seq,
            "time": self.time,
            "subject": self.subject,
            "agency": self.agency,
            "purpose": self.purpose,
            "operation_name": self.operation_name,
            "operation_hash": self.operation_hash,
            "coordinates": list(self.coordinates),
            "subgraphs": list(self.subgraphs),
            "trace_id": self.trace_id,
            "prev": self.prev,
            "hash": self.hash,
        }

    @classmethod
    def seal(
        cls, disclosure: Disclosure, *, log: str, seq: int, time: str, prev: str
    ) -> DisclosureRecord:
        """The record that follows ``prev``, with its own hash computed."""
        unsealed = cls(
            log=log,
            seq=seq,
            time=time,
            subject=disclosure.subject,
            agency=disclosure.agency,
            purpose=disclosure.purpose,
            operation_name=disclosure.operation_name,
            operation_hash=disclosure.operation_hash,
            coordinates=disclosure.coordinates,
            subgraphs=disclosure.subgraphs,
            trace_id=disclosure.trace_id,
            prev=prev,
            hash="",
        )
        return _with_hash(unsealed)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> DisclosureRecord:
        """Read a parsed line; ``ValueError`` names the first field that is wrong."""
        _expect_keys(value, _RECORD_KEYS)
        _expect(value, "kind", lambda v: v == cls.KIND, f"'{cls.KIND}'")
        _expect_common(value)
        _expect(value, "seq", lambda v: type(v) is int and v >= 1, "an integer >= 1")
        for key in ("subject", "agency", "purpose", "operation_name"):
            _expect(value, key, lambda v: v is None or isinstance(v, str), "a string or null")
        _expect(value, "operation_hash", _is_hex64, "64 hex digits")
        _expect(
            value,
            "trace_id",
            lambda v: v is None or bool(isinstance(v, str) and _TRACE_ID.match(v)),
            "32 hex digits or null",
        )
        for key in ("coordinates", "subgraphs"):
            _expect(value, key, _is_string_list, "a list of strings")
        return cls(
            log=value["log"],
            seq=value["seq"],
            time=value["time"],
            subject=value["subject"],
            agency=value["agency"],
            purpose=value["purpose"],
            operation_name=value["operation_name"],
            operation_hash=value["operation_hash"],
            coordinates=tuple(value["coordinates"]),
            subgraphs=tuple(value["subgraphs"]),
            trace_id=value["trace_id"],
            prev=value["prev"],
            hash=value["hash"],
        )


@dataclass(frozen=True, slots=True)
class PreviousLog:
    """Where a rotated log left off: the next file's header repeats it."""

    log: str
    seq: int
    hash: str
    file: str  # base name the old file was renamed to (informational)

    def to_json(self) -> dict[str, Any]:
        return {"log": self.log, "seq": self.seq, "hash": self.hash, "file": self.file}


@dataclass(frozen=True, slots=True)
class LogHeader:
    """Line 1 of every log file: the log id (and genesis), and the log it continues."""

    log: str
    time: str
    previous: PreviousLog | None
    prev: str
    hash: str
    seq: int = 0

    KIND = "header"

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "kind": self.KIND,
            "log": self.log,
            "seq": self.seq,
            "time": self.time,
            "previous": self.previous.to_json() if self.previous is not None else None,
            "prev": self.prev,
            "hash": self.hash,
        }

    @classmethod
    def seal(cls, *, log: str, time: str, previous: PreviousLog | None) -> LogHeader:
        """A new log's first line; after a rotation its ``seq`` is the old log's last one,
        so sequence numbers count every disclosure since the first file of the chain."""
        if not _LOG_ID.match(log):
            raise ValueError("a log id is 32 lowercase hex digits")
        seq = previous.seq if previous is not None else 0
        return _with_hash(
            cls(log=log, time=time, previous=previous, prev=genesis_hash(log), hash="", seq=seq)
        )

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> LogHeader:
        _expect_keys(value, _HEADER_KEYS)
        _expect(value, "kind", lambda v: v == cls.KIND, f"'{cls.KIND}'")
        _expect_common(value)
        _expect(value, "seq", lambda v: type(v) is int and v >= 0, "an integer >= 0")
        previous_raw = value["previous"]
        previous = None
        if previous_raw is not None:
            if not isinstance(previous_raw, dict):
                raise ValueError("'previous' must be an object or null")
            _expect_keys(previous_raw, ("log", "seq", "hash", "file"))
            _expect(previous_raw, "log", _is_log_id, "32 hex digits")
            _expect(previous_raw, "seq", lambda v: type(v) is int and v >= 0, "an integer")
            _expect(previous_raw, "hash", _is_hex64, "64 hex digits")
            _expect(previous_raw, "file", lambda v: isinstance(v, str), "a string")
            previous = PreviousLog(**previous_raw)
        expected_seq = previous.seq if previous is not None else 0
        if value["seq"] != expected_seq:
            raise ValueError(
                f"field 'seq' of a header must be {expected_seq} "
                f"(where the previous log ended), got {value['seq']}"
            )
        return cls(
            log=value["log"],
            time=value["time"],
            previous=previous,
            prev=value["prev"],
            hash=value["hash"],
            seq=value["seq"],
        )


_COMMON_KEYS = ("v", "kind", "log", "seq", "time", "prev", "hash")
_RECORD_KEYS = (
    *_COMMON_KEYS,
    "subject",
    "agency",
    "purpose",
    "operation_name",
    "operation_hash",
    "coordinates",
    "subgraphs",
    "trace_id",
)
_HEADER_KEYS = (*_COMMON_KEYS, "previous")


_Sealable = TypeVar("_Sealable", DisclosureRecord, LogHeader)


def _with_hash(unsealed: _Sealable) -> _Sealable:
    return replace(unsealed, hash=line_hash(unsealed.to_json()))


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and bool(_HEX64.match(value))


def _is_log_id(value: object) -> bool:
    return isinstance(value, str) and bool(_LOG_ID.match(value))


def _is_string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _expect_keys(value: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    missing = [key for key in keys if key not in value]
    if missing:
        raise ValueError(f"missing field '{missing[0]}'")
    extra = sorted(set(value) - set(keys))
    if extra:
        raise ValueError(f"unexpected field '{extra[0]}'")


def _expect(value: Mapping[str, Any], key: str, check: Callable[[Any], bool], what: str) -> None:
    if not check(value[key]):
        raise ValueError(f"field '{key}' must be {what}, got {value[key]!r}")


def _expect_common(value: Mapping[str, Any]) -> None:
    _expect(value, "v", lambda v: type(v) is int and v == FORMAT_VERSION, str(FORMAT_VERSION))
    _expect(value, "log", _is_log_id, "32 hex digits")
    _expect(
        value,
        "time",
        lambda v: isinstance(v, str) and bool(_TIME.match(v)),
        "an RFC 3339 UTC time with microseconds",
    )
    _expect(value, "prev", _is_hex64, "64 hex digits")
    _expect(value, "hash", _is_hex64, "64 hex digits")
