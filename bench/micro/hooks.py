"""Where the micro-benchmarks reach the gateway's internal steps (walks, grouping, merge,
projection, shared decoding).

The public API (``Gateway.execute``/``Gateway.plan``) covers the plan cache and
the whole hot path; merging and projection are internal, so their benchmarks go
through the two functions below. Each prepares real inputs from one real
execution of the benchmark query and returns them with a callable that runs
only the step. If the execution package is reorganised, this is the one file
to follow it.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from aggregator.execution import executor
from aggregator.execution.entities import deep_merge, group_by_representation, objects_at
from aggregator.execution.projection import project
from aggregator.gateway import Gateway
from aggregator.transport.http import _Exchange, decode_response

Merge = tuple[dict[str, Any], dict[str, Any]]


def _planned(gateway: Gateway, query: str) -> tuple[Any, Any, dict[str, Any]]:
    prepared = gateway.prepare(query, None, None)
    compiled = gateway.compiled(prepared.info, prepared.variables)
    return compiled, prepared, prepared.variables


def projection_step(
    gateway: Gateway, query: str, loop: asyncio.AbstractEventLoop
) -> Callable[[], Any]:
    """A callable projecting the benchmark's merged data into the client's response shape."""
    compiled, _prepared, variables = _planned(gateway, query)
    planned = compiled.planned
    merged = loop.run_until_complete(
        executor.execute_plan(planned.plan, gateway.subgraphs, variables, {})
    ).data

    def step() -> Any:
        data, _ = project(compiled.projector, planned.selections, planned.root_type, merged, [])
        return data

    return step


def recorded_merges(gateway: Gateway, query: str, loop: asyncio.AbstractEventLoop) -> list[Merge]:
    """Every (target, source) pair the executor merges for the query, copied before merging."""
    compiled, _prepared, variables = _planned(gateway, query)
    merges: list[Merge] = []
    original = deep_merge

    def recording(target: dict[str, Any], source: dict[str, Any]) -> None:
        merges.append((copy.deepcopy(target), copy.deepcopy(source)))
        original(target, source)

    setattr(executor, "deep_merge", recording)  # noqa: B010
    try:
        loop.run_until_complete(
            executor.execute_plan(compiled.planned.plan, gateway.subgraphs, variables, {})
        )
    finally:
        setattr(executor, "deep_merge", original)  # noqa: B010
    return merges


def merge_all(merges: list[Merge]) -> int:
    """Apply every recorded merge; the step the entity-merge benchmark times."""
    for target, source in merges:
        deep_merge(target, source)
    return len(merges)


Walk = tuple[dict[str, Any], tuple[str, ...]]
Grouping = tuple[list[dict[str, Any]], dict[str, Any]]


def recorded_walks(gateway: Gateway, query: str, loop: asyncio.AbstractEventLoop) -> list[Walk]:
    """Every (data, plan path) the executor walks for the query, on the final merged data."""
    compiled, _prepared, variables = _planned(gateway, query)
    walks: list[Walk] = []

    def recording(data: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
        walks.append((data, path))
        return objects_at(data, path)

    setattr(executor, "objects_at", recording)  # noqa: B010
    try:
        loop.run_until_complete(
            executor.execute_plan(compiled.planned.plan, gateway.subgraphs, variables, {})
        )
    finally:
        setattr(executor, "objects_at", objects_at)  # noqa: B010
    return walks


def walk_all(walks: list[Walk]) -> int:
    """Walk every recorded path; returns the objects found."""
    return sum(len(objects_at(data, path)) for data, path in walks)


def recorded_groupings(
    gateway: Gateway, query: str, loop: asyncio.AbstractEventLoop
) -> list[Grouping]:
    """Every (objects, keys by type) the executor groups into representations for the query."""
    compiled, _prepared, variables = _planned(gateway, query)
    groupings: list[Grouping] = []

    def recording(objects: list[dict[str, Any]], by_type: dict[str, Any]) -> Any:
        groupings.append((list(objects), by_type))
        return group_by_representation(objects, by_type)

    setattr(executor, "group_by_representation", recording)  # noqa: B010
    try:
        loop.run_until_complete(
            executor.execute_plan(compiled.planned.plan, gateway.subgraphs, variables, {})
        )
    finally:
        setattr(executor, "group_by_representation", group_by_representation)  # noqa: B010
    return groupings


def group_all(groupings: list[Grouping]) -> int:
    """Group every recorded object list; returns the representations built."""
    return sum(len(group_by_representation(objects, by_type)[0]) for objects, by_type in groupings)


def subgraph_answers(gateway: Gateway, query: str, loop: asyncio.AbstractEventLoop) -> list[bytes]:
    """The JSON bodies the in-process benchmark subgraphs answer for the query."""
    loop.run_until_complete(gateway.execute(query))
    answers: list[bytes] = []
    for subgraph in gateway.subgraphs.values():
        answers.extend(getattr(subgraph, "_memo", {}).values())
    return answers


def decode_each(bodies: list[bytes], callers: int) -> int:
    """What callers of one exchange paid before sharing: each parses every body."""
    return sum(
        decode_response("bench", 200, "OK", raw).status for raw in bodies for _ in range(callers)
    )


def decode_shared(bodies: list[bytes], callers: int, loop: asyncio.AbstractEventLoop) -> int:
    """``callers`` callers of one shared exchange per body (``transport.http._Exchange``)."""
    total = 0
    for raw in bodies:
        exchange = _Exchange(loop.create_future())
        exchange.waiting = callers
        # the transport's raw outcome: status, reason, body, Cache-Control, Age, Retry-After
        outcome = (200, "OK", raw, None, None, None)
        for _ in range(callers):
            total += exchange.response("bench", outcome).status
    return total
