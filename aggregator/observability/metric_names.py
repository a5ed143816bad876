"""The gateway's metric names: stable, documented in docs/observability.md.

Names follow the OpenTelemetry semantic conventions where one exists
(``http.server.*``); the gateway's own follow their style. The Prometheus
names are what OpenTelemetry's Prometheus exporter would derive (dots to
underscores, the unit appended, ``_total`` on counters), so dashboards work
the same whether the numbers were scraped from ``/metrics`` or pushed over
OTLP through a collector. Renaming any of these breaks operators' dashboards
and alerts: add new names, never change these.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALL", "DURATION_BUCKETS_S", "MetricName"]


@dataclass(frozen=True, slots=True)
class MetricName:
    otel: str
    prometheus: str
    kind: str  # histogram | counter | updowncounter
    unit: str
    attributes: tuple[str, ...]
    description: str

    @property
    def labels(self) -> tuple[str, ...]:
        """The attributes as Prometheus label names."""
        return tuple(a.replace(".", "_") for a in self.attributes)


HTTP_SERVER_REQUEST_DURATION = MetricName(
    "http.server.request.duration",
    "http_server_request_duration_seconds",
    "histogram",
    "s",
    ("http.request.method", "http.response.status_code", "http.route"),
    "Duration of HTTP server requests, from the request line to the last body byte.",
)
HTTP_SERVER_ACTIVE_REQUESTS = MetricName(
    "http.server.active_requests",
    "http_server_active_requests",
    "updowncounter",
    "{request}",
    ("http.request.method",),
    "HTTP server requests in flight.",
)
SUBGRAPH_REQUEST_DURATION = MetricName(
    "graphql.subgraph.request.duration",
    "graphql_subgraph_request_duration_seconds",
    "histogram",
    "s",
    ("subgraph.name",),
    "Duration of requests from the gateway to one subgraph (HTTP or in-process).",
)
SUBGRAPH_REQUEST_ERRORS = MetricName(
    "graphql.subgraph.request.errors",
    "graphql_subgraph_request_errors_total",
    "counter",
    "{request}",
    ("subgraph.name", "error.type"),
    "Subgraph requests that failed (error.type: the SUBREQUEST_* code) or answered "
    "GraphQL errors (error.type: graphql).",
)
CACHE_REQUESTS = MetricName(
    "aggregator.cache.requests",
    "aggregator_cache_requests_total",
    "counter",
    "{request}",
    ("cache.name", "cache.result"),
    "Lookups in the gateway's caches (cache.name: document, plan; cache.result: hit, miss).",
)
SUPERGRAPH_RELOADS = MetricName(
    "aggregator.supergraph.reloads",
    "aggregator_supergraph_reloads_total",
    "counter",
    "{reload}",
    ("result",),
    "Hot reloads of the supergraph (result: success, failure).",
)

ALL = (
    HTTP_SERVER_REQUEST_DURATION,
    HTTP_SERVER_ACTIVE_REQUESTS,
    SUBGRAPH_REQUEST_DURATION,
    SUBGRAPH_REQUEST_ERRORS,
    CACHE_REQUESTS,
    SUPERGRAPH_RELOADS,
)

# OpenTelemetry's recommended boundaries for http.server.request.duration
DURATION_BUCKETS_S = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)
