"""The Prometheus sink: ``prometheus_client`` instruments and their text exposition.

With ``--workers N`` every worker is a separate process and a scrape reaches
only one of them, so the sink runs in prometheus_client's multi-process mode
whenever ``PROMETHEUS_MULTIPROC_DIR`` is set (the launcher sets it for N > 1):
each worker writes its values to memory-mapped files in that folder and an
exposition reads them all, summed. With one worker values stay in memory.
Label children are cached per label tuple, so an observation on the hot path
is one dict lookup and one ``observe``/``inc``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from aggregator.observability import metric_names as names

__all__ = ["CONTENT_TYPE", "PrometheusSink", "current_registry", "exposition", "multiprocess_dir"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

_active_sink: PrometheusSink | None = None


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class PrometheusSink:
    def __init__(self) -> None:
        global _active_sink
        self.multiprocess = multiprocess_dir() is not None
        self.registry = CollectorRegistry(auto_describe=True)

        def doc(name: names.MetricName) -> dict[str, Any]:
            return {
                "name": name.prometheus,
                "documentation": name.description,
                "labelnames": name.labels,
                "registry": self.registry,
            }

        self._http_duration = Histogram(
            **doc(names.HTTP_SERVER_REQUEST_DURATION), buckets=names.DURATION_BUCKETS_S
        )
        self._active = Gauge(**doc(names.HTTP_SERVER_ACTIVE_REQUESTS), multiprocess_mode="livesum")
        self._subgraph_duration = Histogram(
            **doc(names.SUBGRAPH_REQUEST_DURATION), buckets=names.DURATION_BUCKETS_S
        )
        # prometheus_client appends _total to counters itself
        self._subgraph_errors = Counter(**_counter(doc(names.SUBGRAPH_REQUEST_ERRORS)))
        self._cache = Counter(**_counter(doc(names.CACHE_REQUESTS)))
        self._reloads = Counter(**_counter(doc(names.SUPERGRAPH_RELOADS)))
        self._children: dict[tuple[object, ...], Any] = {}
        _active_sink = self

    def _child(self, metric: Any, *labels: object) -> Any:
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*(str(v) for v in labels))
        return child

    def http_request(self, method: str, status: int, route: str, seconds: float) -> None:
        self._child(self._http_duration, method, status, route).observe(seconds)

    def active_requests(self, method: str, delta: int) -> None:
        self._child(self._active, method).inc(delta)

    def subgraph_request(self, name: str, seconds: float, error_type: str | None) -> None:
        self._child(self._subgraph_duration, name).observe(seconds)
        if error_type is not None:
            self._child(self._subgraph_errors, name, error_type).inc()

    def cache(self, name: str, hit: bool) -> None:
        self._child(self._cache, name, "hit" if hit else "miss").inc()

    def reload(self, ok: bool) -> None:
        self._child(self._reloads, "success" if ok else "failure").inc()

    def close(self) -> None:
        global _active_sink
        if _active_sink is self:
            _active_sink = None


def _counter(spec: dict[str, Any]) -> dict[str, Any]:
    name = spec["name"]
    return {**spec, "name": name.removesuffix("_total")}


class _CurrentSink(Collector):
    """Whatever this process's sink holds at scrape time (it is created after the listener)."""

    def collect(self) -> Iterable[Any]:
        sink = _active_sink
        if sink is not None:
            yield from sink.registry.collect()


def current_registry() -> CollectorRegistry:
    """The registry a scrape should read: every worker's files, or this process's sink."""
    registry = CollectorRegistry(auto_describe=False)
    folder = multiprocess_dir()
    if folder is not None:
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    else:
        registry.register(_CurrentSink())
    return registry


def exposition() -> bytes:
    """The Prometheus text format of every metric this deployment has recorded."""
    return generate_latest(current_registry())
