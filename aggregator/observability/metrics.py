"""Process-wide metrics: what the pipeline reports, and the sinks that receive it.

The pipeline calls methods on :data:`metrics`; with no sink configured each
call is a loop over an empty tuple, so metrics cost nothing until an operator
turns them on. Two sinks exist: Prometheus (``prometheus_client``, pulled from
``/metrics``; multi-process aware, see docs/decisions/0014) and OpenTelemetry
(the SDK's instruments, pushed over OTLP). Both can be on at once.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Metrics", "MetricsSink", "metrics"]


class MetricsSink(Protocol):
    def http_request(self, method: str, status: int, route: str, seconds: float) -> None: ...

    def active_requests(self, method: str, delta: int) -> None: ...

    def subgraph_request(self, name: str, seconds: float, error_type: str | None) -> None: ...

    def cache(self, name: str, hit: bool) -> None: ...

    def reload(self, ok: bool) -> None: ...

    def close(self) -> None: ...


class Metrics:
    """Fans each observation out to the configured sinks (none by default)."""

    __slots__ = ("sinks",)

    def __init__(self) -> None:
        self.sinks: tuple[MetricsSink, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.sinks)

    def install(self, *sinks: MetricsSink) -> None:
        self.sinks = tuple(sinks)

    def http_request(self, method: str, status: int, route: str, seconds: float) -> None:
        for sink in self.sinks:
            sink.http_request(method, status, route, seconds)

    def active_requests(self, method: str, delta: int) -> None:
        for sink in self.sinks:
            sink.active_requests(method, delta)

    def subgraph_request(self, name: str, seconds: float, error_type: str | None) -> None:
        for sink in self.sinks:
            sink.subgraph_request(name, seconds, error_type)

    def cache(self, name: str, hit: bool) -> None:
        for sink in self.sinks:
            sink.cache(name, hit)

    def reload(self, ok: bool) -> None:
        for sink in self.sinks:
            sink.reload(ok)

    def close(self) -> None:
        sinks, self.sinks = self.sinks, ()
        for sink in sinks:
            sink.close()


metrics = Metrics()
