"""The ``observability:`` section: log format, access log, metrics.

Metrics are off until asked for, and a Prometheus endpoint asked for listens
on its own port bound to loopback by default: request rates, subgraph names
and error counts tell an outsider a lot about the agencies behind the
gateway, so exposing them is a decision an operator makes explicitly
(``listen: 0.0.0.0:9464`` for a scraper in the cluster, or ``listen: main``
to serve them on the gateway's own port at ``path``).

The same settings come from the environment for deployments without a
config file (``serve --supergraph``) or to override one per environment:
``AGGREGATOR_LOG_FORMAT``, ``AGGREGATOR_METRICS`` (``prometheus``, ``otlp``,
both comma-separated, or ``off``) and ``AGGREGATOR_METRICS_LISTEN``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import yaml

from aggregator.config.errors import ConfigError
from aggregator.config.nodes import NodeReader

__all__ = [
    "LOG_FORMATS",
    "MAIN_LISTENER",
    "MetricsConfig",
    "ObservabilityConfig",
    "parse_listen",
    "read_observability",
]

LOG_FORMATS = ("text", "json")
MAIN_LISTENER = "main"
_KEYS = ("log_format", "access_log", "metrics")
_METRICS_KEYS = ("prometheus", "listen", "path", "otlp", "otlp_endpoint")
_LISTEN = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")
_PATH = re.compile(r"^/[A-Za-z0-9/_.-]*$")


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    prometheus: bool = False
    # host:port of a separate listener (loopback by default), or "main" for the gateway's port
    listen: str = "127.0.0.1:9464"
    path: str = "/metrics"
    otlp: bool = False
    # default: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT
    otlp_endpoint: str | None = None

    @property
    def on_main_port(self) -> bool:
        return self.prometheus and self.listen == MAIN_LISTENER


@dataclass(frozen=True, slots=True)
class ObservabilityConfig:
    log_format: str = "text"
    access_log: bool = True
    metrics: MetricsConfig = field(default_factory=MetricsConfig)

    def with_env(self, env: Mapping[str, str]) -> ObservabilityConfig:
        """These settings with the ``AGGREGATOR_*`` environment variables applied on top."""
        out = self
        log_format = env.get("AGGREGATOR_LOG_FORMAT", "").strip().lower()
        if log_format:
            if log_format not in LOG_FORMATS:
                raise ConfigError(f"AGGREGATOR_LOG_FORMAT must be text or json, got '{log_format}'")
            out = replace(out, log_format=log_format)
        wanted = env.get("AGGREGATOR_METRICS", "").strip().lower()
        metrics = out.metrics
        if wanted:
            kinds = {k.strip() for k in wanted.split(",") if k.strip()}
            unknown = kinds - {"prometheus", "otlp", "off"}
            if unknown:
                raise ConfigError(
                    "AGGREGATOR_METRICS must list prometheus and/or otlp (or be off), "
                    f"got '{wanted}'"
                )
            metrics = replace(metrics, prometheus="prometheus" in kinds, otlp="otlp" in kinds)
        listen = env.get("AGGREGATOR_METRICS_LISTEN", "").strip()
        if listen:
            if listen != MAIN_LISTENER and parse_listen(listen) is None:
                raise ConfigError(
                    f"AGGREGATOR_METRICS_LISTEN must be host:port or 'main', got '{listen}'"
                )
            metrics = replace(metrics, listen=listen)
        return replace(out, metrics=metrics)


def parse_listen(text: str) -> tuple[str, int] | None:
    match = _LISTEN.match(text)
    if match is None or int(match.group(2)) > 65535:
        return None
    return match.group(1).strip("[]"), int(match.group(2))


def read_observability(reader: NodeReader, node: yaml.Node) -> ObservabilityConfig:
    f = reader.mapping(node, "observability", _KEYS)
    d = ObservabilityConfig()
    log_format = reader.optional(
        f, "log_format", lambda n: reader.string(n, "observability.log_format"), d.log_format
    )
    if log_format not in LOG_FORMATS:
        raise reader.error(
            f["log_format"][1],
            "observability.log_format",
            f"must be text or json, got '{log_format}'",
        )
    return ObservabilityConfig(
        log_format=log_format,
        access_log=reader.optional(
            f,
            "access_log",
            lambda n: reader.scalar(n, "observability.access_log", bool, "true or false"),
            d.access_log,
        ),
        metrics=reader.optional(f, "metrics", lambda n: _metrics(reader, n), d.metrics),
    )


def _metrics(reader: NodeReader, node: yaml.Node) -> MetricsConfig:
    f = reader.mapping(node, "observability.metrics", _METRICS_KEYS)
    d = MetricsConfig()

    def flag(name: str) -> bool:
        return reader.optional(
            f,
            name,
            lambda n: reader.scalar(n, f"observability.metrics.{name}", bool, "true or false"),
            False,
        )

    listen = reader.optional(
        f, "listen", lambda n: reader.string(n, "observability.metrics.listen"), d.listen
    )
    if listen != MAIN_LISTENER and parse_listen(listen) is None:
        raise reader.error(
            f["listen"][1],
            "observability.metrics.listen",
            f"expected host:port (e.g. 127.0.0.1:9464) or 'main', got '{listen}'",
        )
    path = reader.optional(
        f, "path", lambda n: reader.string(n, "observability.metrics.path"), d.path
    )
    if not _PATH.match(path):
        raise reader.error(
            f["path"][1], "observability.metrics.path", f"expected /a/path, got '{path}'"
        )
    return MetricsConfig(
        prometheus=flag("prometheus"),
        listen=listen,
        path=path,
        otlp=flag("otlp"),
        otlp_endpoint=reader.optional(
            f, "otlp_endpoint", lambda n: reader.url(n, "observability.metrics.otlp_endpoint"), None
        ),
    )
