"""The resolver cache: entity and root-fetch entries in memory or Redis, cache-control math.

Where it sits: ``execution`` asks the cache before ``transport`` (docs/caching.md).

- :class:`CacheSetup` — what a gateway needs (store, settings, sensitive fields);
  ``GatewayOptions(cache=...)`` takes it.
- :func:`partition_for` — the one function that decides which callers share entries.
- :class:`ResponsePolicy` — collects one response's ``Cache-Control``.
- :func:`cache_metric_families` — the counters for a Prometheus exporter.
- :class:`HttpResponseCache` — HTTP caching of REST connector calls.

Exceptions are drawn in :mod:`aggregator.caching.errors`.
"""

from aggregator.caching.errors import BackendUnavailable, CacheError, InvalidPurge
from aggregator.caching.hints import CACHE_SPEC_URL
from aggregator.caching.metrics import (
    CacheMetrics,
    MetricFamily,
    cache_metric_families,
    render_prometheus,
)
from aggregator.caching.partition import CachePartition, grants_key_of, partition_for
from aggregator.caching.policy import CachePolicy, ResponsePolicy, Scope, parse_cache_control
from aggregator.caching.store import CacheStore, shared_store
from aggregator.caching.supergraph_cache import CacheSetup, PurgeRequest, SupergraphCache

__all__ = [
    "CACHE_SPEC_URL",
    "BackendUnavailable",
    "CacheError",
    "CacheMetrics",
    "CachePartition",
    "CachePolicy",
    "CacheSetup",
    "CacheStore",
    "InvalidPurge",
    "MetricFamily",
    "PurgeRequest",
    "ResponsePolicy",
    "Scope",
    "SupergraphCache",
    "cache_metric_families",
    "grants_key_of",
    "parse_cache_control",
    "partition_for",
    "render_prometheus",
    "shared_store",
]
