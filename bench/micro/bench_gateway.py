"""Micro-benchmarks of aggregator on the federation benchmark query (pytest-benchmark).

Each asserts the thing it measures is right: the cached plan is the same plan;
the in-process answer is the expected data within the subgraph request budget;
projection yields the expected data; merging adds every fetched field.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from bench.expected import canonical_checksum, expected_checksum, query_text
from bench.micro.hooks import (
    Merge,
    decode_each,
    decode_shared,
    group_all,
    merge_all,
    projection_step,
    recorded_groupings,
    recorded_merges,
    recorded_walks,
    subgraph_answers,
    walk_all,
)
from bench.subgraphs.in_process import InProcessBenchSubgraph

# Target from issue 5: at most 7 subgraph requests per client request.
MAX_SUBGRAPH_REQUESTS = 7


def test_plan_cache_hit(benchmark: Any, gateway: Any) -> None:
    query = query_text()
    first = gateway.plan(query, "TestQuery")
    cached = benchmark(gateway.plan, query, "TestQuery")
    assert cached is first
    assert "Fetch(" in str(first)


def test_execute_in_process(
    benchmark: Any,
    gateway: Any,
    loop: asyncio.AbstractEventLoop,
    subgraphs: dict[str, InProcessBenchSubgraph],
    scenario: str,
) -> None:
    query = query_text()

    def run() -> Any:
        return loop.run_until_complete(gateway.execute(query, operation_name="TestQuery"))

    result = run()
    assert "errors" not in result, result.get("errors")
    assert canonical_checksum(result) == expected_checksum(scenario)
    before = sum(s.fetches for s in subgraphs.values())
    run()
    assert sum(s.fetches for s in subgraphs.values()) - before <= MAX_SUBGRAPH_REQUESTS
    benchmark(run)


def test_projection(
    benchmark: Any, gateway: Any, loop: asyncio.AbstractEventLoop, scenario: str
) -> None:
    step = projection_step(gateway, query_text(), loop)
    assert canonical_checksum({"data": step()}) == expected_checksum(scenario)
    benchmark(step)


def test_entity_merge(benchmark: Any, gateway: Any, loop: asyncio.AbstractEventLoop) -> None:
    merges = recorded_merges(gateway, query_text(), loop)
    assert len(merges) > 1
    fresh = copy.deepcopy(merges)
    merge_all(fresh)
    for (target, _), (_, source) in zip(fresh, merges, strict=True):
        assert set(source) <= set(target)

    def setup() -> tuple[tuple[list[Merge]], dict[str, Any]]:
        return (copy.deepcopy(merges),), {}

    benchmark.pedantic(merge_all, setup=setup, rounds=300, iterations=1, warmup_rounds=5)


def test_entity_walks(benchmark: Any, gateway: Any, loop: asyncio.AbstractEventLoop) -> None:
    walks = recorded_walks(gateway, query_text(), loop)
    assert len(walks) >= 4
    found = walk_all(walks)
    assert found > len(walks)
    assert benchmark(walk_all, walks) == found


def test_entity_grouping(benchmark: Any, gateway: Any, loop: asyncio.AbstractEventLoop) -> None:
    groupings = recorded_groupings(gateway, query_text(), loop)
    objects = sum(len(o) for o, _ in groupings)
    built = group_all(groupings)
    assert 0 < built < objects  # repeated entities share a representation
    assert benchmark(group_all, groupings) == built


# in-flight callers sharing one subgraph exchange (about what 50 connections give)
SHARED_CALLERS = 10


def test_decode_per_caller(benchmark: Any, gateway: Any, loop: asyncio.AbstractEventLoop) -> None:
    bodies = subgraph_answers(gateway, query_text(), loop)
    assert sum(map(len, bodies)) > 20_000
    assert benchmark(decode_each, bodies, SHARED_CALLERS) == 200 * SHARED_CALLERS * len(bodies)


def test_decode_shared_exchange(
    benchmark: Any, gateway: Any, loop: asyncio.AbstractEventLoop
) -> None:
    bodies = subgraph_answers(gateway, query_text(), loop)
    expected = 200 * SHARED_CALLERS * len(bodies)
    assert benchmark(decode_shared, bodies, SHARED_CALLERS, loop) == expected
