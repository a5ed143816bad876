"""Micro-benchmarks of aggregator on the federation benchmark query (pytest-benchmark).

Each asserts the thing it measures is right: the cached plan is the same plan
and within the fetch budget; the in-process answer is the expected data.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.expected import canonical_checksum, expected_checksum, query_text
from bench.micro.hooks import entity_merge_step, projection_step
from bench.subgraphs.in_process import InProcessBenchSubgraph

# Target from issue 5: at most 7 subgraph requests per client request.
MAX_FETCHES = 7


def test_plan_cache_hit(benchmark: Any, gateway: Any) -> None:
    query = query_text()
    first = str(gateway.plan(query, "TestQuery"))
    cached = benchmark(gateway.plan, query, "TestQuery")
    assert str(cached) == first
    assert 0 < first.count("Fetch(") <= MAX_FETCHES, first


def test_execute_in_process(
    benchmark: Any,
    gateway: Any,
    loop: asyncio.AbstractEventLoop,
    subgraphs: dict[str, InProcessBenchSubgraph],
) -> None:
    query = query_text()

    def run() -> Any:
        return loop.run_until_complete(gateway.execute(query, operation_name="TestQuery"))

    result = run()
    assert "errors" not in result, result.get("errors")
    assert canonical_checksum(result) == expected_checksum()
    before = sum(s.fetches for s in subgraphs.values())
    run()
    assert sum(s.fetches for s in subgraphs.values()) - before <= MAX_FETCHES
    benchmark(run)


def test_projection(benchmark: Any, gateway: Any) -> None:
    step = projection_step(gateway, query_text())
    projected = step()
    assert canonical_checksum({"data": projected}) == expected_checksum()
    benchmark(step)


def test_entity_merge(benchmark: Any, gateway: Any) -> None:
    step = entity_merge_step(gateway, query_text())
    assert step() is not None
    benchmark(step)
