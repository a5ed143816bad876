"""Where the micro-benchmarks reach the gateway's internal steps (entity merge, projection).

The public API (``Gateway.execute``/``Gateway.plan``) covers the plan cache and
the whole hot path; merging and projection are internal, so their benchmarks go
through the two functions below. Each returns a zero-argument callable that
runs the step once on the benchmark's real data, prepared from a real
execution. Point them at the execution package's functions when it lands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class HookMissing(RuntimeError):
    """The gateway has no such step yet; wire it in bench/micro/hooks.py."""


def projection_step(gateway: Any, query: str) -> Callable[[], Any]:
    """A callable projecting the benchmark's merged data into the client's response shape."""
    factory = getattr(gateway, "_bench_projection_step", None)
    if factory is None:
        raise HookMissing("wire projection into bench/micro/hooks.py:projection_step")
    step: Callable[[], Any] = factory(query)
    return step


def entity_merge_step(gateway: Any, query: str) -> Callable[[], Any]:
    """A callable merging the benchmark's entity fetch results into the response tree."""
    factory = getattr(gateway, "_bench_entity_merge_step", None)
    if factory is None:
        raise HookMissing("wire entity merging into bench/micro/hooks.py:entity_merge_step")
    step: Callable[[], Any] = factory(query)
    return step
