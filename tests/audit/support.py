"""Shared helpers: real logs written by DisclosureLog, and the edits an attacker would make."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import orjson

from aggregator.config import AuditConfig
from aggregator.security.audit import Disclosure, DisclosureLog, DisclosureRecord, line_hash

AGGREGATOR = Path(sys.executable).parent / "aggregator"


def config(path: Path, **overrides: Any) -> AuditConfig:
    return AuditConfig(enabled=True, path=path, **overrides)


def disclosure(index: int, *, subject: str = "alice", agency: str = "tax") -> Disclosure:
    return Disclosure.of_operation(
        f"query Person{index} {{ person(id: {index}) {{ taxId income }} }}",
        subject=subject,
        agency=agency,
        purpose="benefits-eligibility",
        operation_name=f"Person{index}",
        coordinates=["Person.taxId", "Person.income"],
        subgraphs=["tax", "identity"],
        trace_id=f"{index:032x}",
    )


async def write_log(path: Path, count: int, **overrides: Any) -> list[DisclosureRecord]:
    async with await DisclosureLog.open(config(path, **overrides)) as log:
        return list(await asyncio.gather(*(log.record(disclosure(i)) for i in range(count))))


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write_lines(path: Path, content: list[bytes]) -> None:
    path.write_bytes(b"".join(content))


def parse(line: bytes) -> dict[str, Any]:
    value = orjson.loads(line)
    assert isinstance(value, dict)
    return value


def reseal(raw: dict[str, Any]) -> bytes:
    """What a forger does after editing a line: recompute its own hash."""
    raw = {**raw, "hash": line_hash(raw)}
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"


def cut(path: Path, nbytes: int) -> None:
    """Drop the last ``nbytes`` bytes, as a crash mid-write or a truncation would."""
    path.write_bytes(path.read_bytes()[:-nbytes])


def files(directory: Path, pattern: str) -> list[Path]:
    return sorted(directory.glob(pattern))
