"""OpenTelemetry spans with a fixed set of names, and W3C trace context to subgraphs.

The gateway only uses the OpenTelemetry API: with no SDK configured every span
is a no-op costing a few microseconds, so tracing is always compiled in and
turned on by configuring a tracer provider (see docs/observability.md).
"""

from aggregator.observability.tracing import (
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
    "SPAN_EXECUTE",
    "SPAN_PARSE",
    "SPAN_PLAN",
    "SPAN_SUBGRAPH",
    "SPAN_VALIDATE",
    "TRACE_HEADERS",
    "inject_trace_context",
    "tracer",
    "tracing_enabled",
]
