"""Span names and trace-context propagation shared by the pipeline stages."""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.trace import NoOpTracerProvider, ProxyTracerProvider

SPAN_PARSE = "graphql.parse"
SPAN_VALIDATE = "graphql.validate"
SPAN_AUTHORIZE = "graphql.authorize"
SPAN_PLAN = "graphql.plan"
SPAN_EXECUTE = "graphql.execute"
SPAN_SUBGRAPH = "graphql.subgraph.operation"

# headers that carry trace context: they differ per request, so they never decide
# whether two subgraph requests are the same one
TRACE_HEADERS = frozenset({"traceparent", "tracestate", "baggage"})

_NO_SDK = (ProxyTracerProvider, NoOpTracerProvider)

tracer = trace.get_tracer("aggregator")


def tracing_enabled() -> bool:
    """Whether a tracer provider is installed.

    Without one every span is a no-op, but making it still costs a context manager,
    a span object and two context switches per call: the hot path (execute, every
    subgraph request) asks this first and skips spans altogether when it is off.
    """
    return not isinstance(trace.get_tracer_provider(), _NO_SDK)


def inject_trace_context(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` plus the current span's W3C trace context (unchanged when not tracing)."""
    if not trace.get_current_span().get_span_context().is_valid:
        return headers
    carrier = dict(headers)
    propagate.inject(carrier)
    return carrier
