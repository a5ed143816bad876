"""Turn tracing and metrics on for a gateway process (both off by default).

``AGGREGATOR_TRACING=console`` prints spans to stderr; ``otlp`` sends them to an
OpenTelemetry collector with the standard ``OTEL_EXPORTER_OTLP_*`` variables
and needs the ``opentelemetry-exporter-otlp`` package, which the gateway does
not install by itself (most deployments choose their own exporter).
"""

from __future__ import annotations

import importlib
import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from aggregator.config.observability import MetricsConfig

ENV = "AGGREGATOR_TRACING"


class TracingSetupError(Exception):
    """The requested exporter cannot be set up (the message says what to install)."""


def _exporter(mode: str) -> SpanExporter:
    if mode == "console":
        return ConsoleSpanExporter()
    if mode == "otlp":
        try:
            module = importlib.import_module(
                "opentelemetry.exporter.otlp.proto.http.trace_exporter"
            )
        except ImportError as exc:
            raise TracingSetupError(
                "AGGREGATOR_TRACING=otlp needs `pip install opentelemetry-exporter-otlp`"
            ) from exc
        exporter: SpanExporter = module.OTLPSpanExporter()
        return exporter
    raise TracingSetupError(f"{ENV} must be 'console' or 'otlp', got {mode!r}")


def configure_tracing_from_env() -> bool:
    """Install a tracer provider when ``AGGREGATOR_TRACING`` asks for one."""
    mode = os.environ.get(ENV, "").strip().lower()
    if not mode or mode == "off":
        return False
    provider = TracerProvider(resource=Resource.create({"service.name": "aggregator"}))
    provider.add_span_processor(BatchSpanProcessor(_exporter(mode)))
    trace.set_tracer_provider(provider)
    return True


def configure_metrics(config: MetricsConfig) -> None:
    """Install this process's metric sinks (none unless the config asks for them).

    Raises :class:`OtlpMetricsError` when OTLP is asked for without its exporter.
    """
    from aggregator.observability.metrics import MetricsSink, metrics

    sinks: list[MetricsSink] = []
    if config.prometheus:
        from aggregator.observability.prometheus import PrometheusSink

        sinks.append(PrometheusSink())
    if config.otlp:
        from aggregator.observability.otlp_metrics import OtlpSink

        sinks.append(OtlpSink(config.otlp_endpoint))
    metrics.close()
    metrics.install(*sinks)
