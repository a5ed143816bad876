"""Span names and trace-context propagation shared by the pipeline stages."""

from __future__ import annotations

from opentelemetry import propagate, trace

SPAN_PARSE = "graphql.parse"
SPAN_VALIDATE = "graphql.validate"
SPAN_AUTHORIZE = "graphql.authorize"
SPAN_PLAN = "graphql.plan"
SPAN_EXECUTE = "graphql.execute"
SPAN_SUBGRAPH = "graphql.subgraph.operation"

# headers that carry trace context: they differ per request, so they never decide
# whether two subgraph requests are the same one
TRACE_HEADERS = frozenset({"traceparent", "tracestate", "baggage"})

tracer = trace.get_tracer("aggregator")


def inject_trace_context(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` plus the current span's W3C trace context (unchanged when not tracing)."""
    if not trace.get_current_span().get_span_context().is_valid:
        return headers
    carrier = dict(headers)
    propagate.inject(carrier)
    return carrier
