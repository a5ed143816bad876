"""Where the micro-benchmarks reach the gateway's internal steps (entity merge, projection).

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
from aggregator.execution.entities import deep_merge
from aggregator.execution.projection import project
from aggregator.gateway import Gateway

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
