"""Spans, metrics and logs: what the gateway tells its operators.

OpenTelemetry spans with a fixed set of names, and W3C trace context to subgraphs;
metrics with stable names (``metric_names``) fanned out to Prometheus and OTLP sinks;
one log formatter (text or JSON) and an access record per request.

The gateway only uses the OpenTelemetry API: with no SDK configured every span
is a no-op costing a few microseconds, so tracing is always compiled in and
turned on by configuring a tracer provider (see docs/observability.md).
"""

from aggregator.observability.logs import configure_logging
from aggregator.observability.metrics import Metrics, metrics
from aggregator.observability.tracing import (
    SPAN_AUTHORIZE,
    SPAN_EXECUTE,
    SPAN_PARSE,
    SPAN_PLAN,
    SPAN_SUBGRAPH,
    SPAN_VALIDATE,
    TRACE_HEADERS,
    inject_trace_context,
    tracer,
    tracing_enabled,
)

__all__ = [
    "SPAN_AUTHORIZE",
    "SPAN_EXECUTE",
    "SPAN_PARSE",
    "SPAN_PLAN",
    "SPAN_SUBGRAPH",
    "SPAN_VALIDATE",
    "TRACE_HEADERS",
    "Metrics",
    "configure_logging",
    "inject_trace_context",
    "metrics",
    "tracer",
    "tracing_enabled",
]
