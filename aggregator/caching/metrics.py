"""Cache counters per subgraph and type, and their Prometheus names.

A plain registry: incrementing is one dict update on the hot path. Whatever
exports metrics (the observability work's ``/metrics``) reads
:func:`cache_metric_families`, which needs no metrics library; the names are
listed in docs/caching.md.

Events:

- ``hit``: an entry was served from the cache
- ``miss``: an entry was looked up and not found (or expired)
- ``fill``: an entry was written
- ``bypass``: the backend was unavailable, so the fetch went to the subgraph uncached
- ``eviction``: the memory backend dropped an entry to stay within ``max_bytes``
- ``shared``: a miss answered by another request's fill of the same entry (no fetch of its own)
- ``purged``: entries removed by invalidation (admin endpoint, CLI, mutations)
- ``revalidated``: a stale REST response the backend confirmed with 304 (also a ``hit``)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "EVENTS",
    "CacheMetrics",
    "MetricFamily",
    "cache_metric_families",
    "render_prometheus",
]

EVENTS = ("hit", "miss", "fill", "bypass", "eviction", "shared", "purged", "revalidated")

_NAMES = {
    "hit": ("aggregator_cache_hits_total", "Entries served from the resolver cache."),
    "miss": ("aggregator_cache_misses_total", "Entries looked up and not found."),
    "fill": ("aggregator_cache_fills_total", "Entries written to the resolver cache."),
    "bypass": (
        "aggregator_cache_bypasses_total",
        "Lookups or writes skipped because the cache backend was unavailable.",
    ),
    "eviction": (
        "aggregator_cache_evictions_total",
        "Entries the memory backend evicted to stay within max_bytes.",
    ),
    "shared": (
        "aggregator_cache_shared_fills_total",
        "Misses answered by another request's fill of the same entry.",
    ),
    "purged": ("aggregator_cache_purged_total", "Entries removed by invalidation."),
    "revalidated": (
        "aggregator_cache_revalidations_total",
        "Stale REST responses a backend confirmed with 304 Not Modified.",
    ),
}


@dataclass(slots=True)
class CacheMetrics:
    """Counters keyed by (event, subgraph, type); gauges read from the backend on export."""

    counters: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # backend gauges (bytes, entries, up), read when exported
    gauges: Callable[[], dict[str, float]] | None = None

    def inc(self, event: str, subgraph: str, type_name: str, count: int = 1) -> None:
        key = (event, subgraph, type_name)
        self.counters[key] = self.counters.get(key, 0) + count

    def total(self, event: str, subgraph: str | None = None, type_name: str | None = None) -> int:
        return sum(
            value
            for (name, sub, typ), value in self.counters.items()
            if name == event
            and (subgraph is None or sub == subgraph)
            and (type_name is None or typ == type_name)
        )

    def snapshot(self) -> dict[str, object]:
        """JSON-able view (the admin stats endpoint and the benchmarks read it)."""
        events = {event: self.total(event) for event in EVENTS}
        lookups = events["hit"] + events["miss"]
        detail = [
            {"event": e, "subgraph": s, "type": t, "count": v}
            for (e, s, t), v in sorted(self.counters.items())
        ]
        return {
            "totals": events,
            "hit_ratio": events["hit"] / lookups if lookups else None,
            "gauges": self.gauges() if self.gauges is not None else {},
            "counters": detail,
        }


@dataclass(frozen=True, slots=True)
class MetricFamily:
    """One Prometheus metric family: name, type (counter/gauge), help and labelled samples."""

    name: str
    kind: str
    help: str
    samples: tuple[tuple[tuple[tuple[str, str], ...], float], ...]


_GAUGES = {
    "bytes": ("aggregator_cache_bytes", "Bytes held by the memory backend."),
    "entries": ("aggregator_cache_entries", "Entries held by the memory backend."),
    "up": ("aggregator_cache_backend_up", "1 while the cache backend answers, 0 while bypassed."),
}


def cache_metric_families(metrics: CacheMetrics) -> list[MetricFamily]:
    """Every cache metric, for the ``/metrics`` exporter (the hook the lead wires)."""
    families: list[MetricFamily] = []
    for event in EVENTS:
        name, help_text = _NAMES[event]
        samples = tuple(
            ((("subgraph", sub), ("type", typ)), float(value))
            for (e, sub, typ), value in sorted(metrics.counters.items())
            if e == event
        )
        families.append(MetricFamily(name, "counter", help_text, samples))
    gauges = metrics.gauges() if metrics.gauges is not None else {}
    for key, (name, help_text) in _GAUGES.items():
        if key in gauges:
            families.append(MetricFamily(name, "gauge", help_text, (((), gauges[key]),)))
    return families


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render_prometheus(families: list[MetricFamily]) -> str:
    """The text exposition format (version 0.0.4) of ``families``."""
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {family.help}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for labels, value in family.samples:
            label_text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
            rendered = f"{value:g}" if value != int(value) else str(int(value))
            lines.append(
                f"{family.name}{{{label_text}}} {rendered}"
                if label_text
                else f"{family.name} {rendered}"
            )
    return "\n".join(lines) + "\n"
