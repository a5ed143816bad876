"""The OpenTelemetry sink: the same observations as SDK instruments, pushed over OTLP.

Each worker process pushes its own cumulative series, told apart by
``service.instance.id``; the collector (or the backend) sums them, so unlike
a Prometheus scrape nothing has to be shared between workers. The exporter
is ``opentelemetry-exporter-otlp-proto-http`` (``pip install
'aggregator[otlp]'``) and reads the standard ``OTEL_EXPORTER_OTLP_*``
variables; ``OTEL_METRIC_EXPORT_INTERVAL`` sets the push interval (ms).
"""

from __future__ import annotations

import importlib
import os
import socket
import uuid
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

from aggregator.observability import metric_names as names

__all__ = ["OtlpMetricsError", "OtlpSink", "check_exporter"]


class OtlpMetricsError(Exception):
    """OTLP metrics were asked for but cannot be set up (the message says what to install)."""


def check_exporter() -> Any:
    """The exporter module; raises OtlpMetricsError naming the package when it is missing."""
    try:
        return importlib.import_module("opentelemetry.exporter.otlp.proto.http.metric_exporter")
    except ImportError as exc:
        raise OtlpMetricsError(
            "OTLP metrics need `pip install opentelemetry-exporter-otlp-proto-http` "
            "(or `pip install 'aggregator[otlp]'`)"
        ) from exc


def _exporter(endpoint: str | None) -> MetricExporter:
    module = check_exporter()
    if endpoint is not None:
        endpoint = endpoint.rstrip("/")
        if not endpoint.endswith("/v1/metrics"):
            endpoint += "/v1/metrics"
    exporter: MetricExporter = module.OTLPMetricExporter(endpoint=endpoint)
    return exporter


def _instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class OtlpSink:
    def __init__(self, endpoint: str | None = None) -> None:
        resource = Resource.create(
            {
                "service.name": os.environ.get("OTEL_SERVICE_NAME", "aggregator"),
                "service.instance.id": _instance_id(),
            }
        )
        self.provider = MeterProvider(
            resource=resource,
            metric_readers=[PeriodicExportingMetricReader(_exporter(endpoint))],
        )
        meter = self.provider.get_meter("aggregator")

        def histogram(name: names.MetricName) -> Any:
            return meter.create_histogram(
                name.otel,
                unit=name.unit,
                description=name.description,
                explicit_bucket_boundaries_advisory=names.DURATION_BUCKETS_S,
            )

        def counter(name: names.MetricName) -> Any:
            return meter.create_counter(name.otel, unit=name.unit, description=name.description)

        self._http_duration = histogram(names.HTTP_SERVER_REQUEST_DURATION)
        self._active = meter.create_up_down_counter(
            names.HTTP_SERVER_ACTIVE_REQUESTS.otel,
            unit=names.HTTP_SERVER_ACTIVE_REQUESTS.unit,
            description=names.HTTP_SERVER_ACTIVE_REQUESTS.description,
        )
        self._subgraph_duration = histogram(names.SUBGRAPH_REQUEST_DURATION)
        self._subgraph_errors = counter(names.SUBGRAPH_REQUEST_ERRORS)
        self._cache = counter(names.CACHE_REQUESTS)
        self._reloads = counter(names.SUPERGRAPH_RELOADS)

    def http_request(self, method: str, status: int, route: str, seconds: float) -> None:
        self._http_duration.record(
            seconds,
            {
                "http.request.method": method,
                "http.response.status_code": status,
                "http.route": route,
            },
        )

    def active_requests(self, method: str, delta: int) -> None:
        self._active.add(delta, {"http.request.method": method})

    def subgraph_request(self, name: str, seconds: float, error_type: str | None) -> None:
        self._subgraph_duration.record(seconds, {"subgraph.name": name})
        if error_type is not None:
            self._subgraph_errors.add(1, {"subgraph.name": name, "error.type": error_type})

    def cache(self, name: str, hit: bool) -> None:
        self._cache.add(1, {"cache.name": name, "cache.result": "hit" if hit else "miss"})

    def reload(self, ok: bool) -> None:
        self._reloads.add(1, {"result": "success" if ok else "failure"})

    def close(self) -> None:
        """Push what is left and stop the export thread."""
        self.provider.shutdown()
