"""What the disclosure log costs a request: sealing one record, and writing bursts of them.

A burst is 100 concurrent ``record()`` calls (100 requests releasing sensitive
fields at once); with ``fsync: always`` the writer thread group-commits them,
so the per-record cost is a share of one fsync, not one each. Each benchmark
checks that the chain it wrote verifies.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from aggregator.config import AuditConfig, FsyncPolicy
from aggregator.security.audit import (
    Disclosure,
    DisclosureLog,
    DisclosureRecord,
    Intact,
    verify_logs,
)
from aggregator.security.audit.records import canonical

BURST = 100

RELEASE = Disclosure.of_operation(
    "query Person($id: ID!) { person(id: $id) { taxId income } }",
    subject="alice",
    agency="tax",
    purpose="benefits-eligibility",
    operation_name="Person",
    coordinates=["Person.taxId", "Person.income"],
    subgraphs=["tax", "identity"],
    trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
)


def test_seal_one_record(benchmark: Any) -> None:
    def seal() -> bytes:
        record = DisclosureRecord.seal(
            RELEASE, log="0" * 32, seq=1, time="2025-01-01T00:00:00.000000Z", prev="0" * 64
        )
        return canonical(record.to_json())

    assert benchmark(seal).startswith(b'{"agency":"tax"')


@pytest.mark.parametrize("policy", [FsyncPolicy.ALWAYS, FsyncPolicy.INTERVAL])
def test_burst_of_concurrent_records(
    benchmark: Any,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    policy: FsyncPolicy,
) -> None:
    path = tmp_path / "disclosure.log"
    log = loop.run_until_complete(
        DisclosureLog.open(AuditConfig(enabled=True, path=path, fsync=policy))
    )

    async def burst() -> list[DisclosureRecord]:
        return list(await asyncio.gather(*(log.record(RELEASE) for _ in range(BURST))))

    try:
        benchmark(lambda: loop.run_until_complete(burst()))
    finally:
        loop.run_until_complete(log.close())
    result = verify_logs([path])
    assert isinstance(result, Intact)
    assert result.records % BURST == 0
    benchmark.extra_info["records_per_round"] = BURST
