"""``serve --supergraph``: serve a supergraph file under uvicorn, one or many workers.

``serve --supergraph`` is production by default like ``serve --config``: the
supergraph becomes a config of its own (:func:`supergraph_config`) and goes through
the same factory, so limits, redaction, subgraph resilience and the fail-closed
authorization check apply the same way. Without a config file, logging and metrics
come from the environment (``AGGREGATOR_LOG_FORMAT``, ``AGGREGATOR_METRICS``, ...;
see docs/observability.md); TLS, authentication and in-process agencies need
``serve --config``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aggregator.config import ConfigError, GatewayConfig, ServerConfig
from aggregator.config.authorization import AuthorizationConfig
from aggregator.config.observability import ObservabilityConfig
from aggregator.config.production import Mode
from aggregator.config.resilience import SubgraphDefaults
from aggregator.gateway import Gateway
from aggregator.observability.otlp_metrics import OtlpMetricsError, check_exporter
from aggregator.security.authorization import AuthorizationSetupError, check_enforceable
from aggregator.server.app import create_app
from aggregator.server.gc_tuning import tune_for_serving
from aggregator.server.graceful import DrainSettings
from aggregator.server.launch import ServeSettings, serve_and_report
from aggregator.server.stack import App, StackSettings, prepare_process, server_stack
from aggregator.supergraph import SupergraphError, load

_ENV = "AGGREGATOR_SERVE_SETTINGS"


def app_from_env() -> App:
    """Factory for uvicorn workers: each process builds its own gateway."""
    import orjson

    from aggregator.registry.gateway_factory import gateway_from_config, server_options

    settings = orjson.loads(os.environ[_ENV])
    observability = ObservabilityConfig()
    prepare_process(observability)
    config = supergraph_config(settings)
    options = server_options(config)
    options.expose_query_plans = settings["expose_query_plans"]
    if settings["graphiql"] is not None:
        options.graphiql = settings["graphiql"]
    app = create_app(gateway_from_config(config, Path(settings["supergraph"]).read_text()), options)
    tune_for_serving()
    return server_stack(app, StackSettings(observability=observability))


def supergraph_config(settings: dict[str, object]) -> GatewayConfig:
    """The config ``serve --supergraph`` stands for: a mode, URL overrides, subgraph defaults."""
    from aggregator.registry.gateway_factory import default_subgraph

    mode = Mode(str(settings.get("mode") or Mode.PRODUCTION))
    timeout = settings.get("subgraph_timeout_s")
    defaults = SubgraphDefaults()
    if isinstance(timeout, int | float):
        defaults = SubgraphDefaults(timeout_s=float(timeout))
    base = GatewayConfig(mode=mode, subgraph_defaults=defaults)
    urls = settings.get("subgraph_urls") or {}
    assert isinstance(urls, dict)
    conveniences = mode.conveniences
    return GatewayConfig(
        mode=mode,
        server=ServerConfig(
            graphiql=conveniences,
            introspection=conveniences,
            suggestions=conveniences,
            apq=conveniences,
        ),
        subgraphs=tuple(default_subgraph(base, name, url) for name, url in urls.items()),
        subgraph_defaults=defaults,
    )


def serve_supergraph(
    supergraph: Path,
    *,
    host: str,
    port: int,
    workers: int = 1,
    subgraph_urls: dict[str, str] | None = None,
    expose_query_plans: bool = False,
    graphiql: bool | None = None,
    mode: str = "production",
    subgraph_timeout_s: float | None = None,
    drain: DrainSettings | None = None,
) -> int:
    import orjson

    try:
        sdl = supergraph.read_text()
        Gateway.from_supergraph_sdl(sdl, subgraph_urls=subgraph_urls).require_every_subgraph()
        if ObservabilityConfig().with_env(os.environ).metrics.otlp:
            check_exporter()
    except OSError as exc:
        print(
            f"aggregator: error: cannot read {supergraph}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    except SupergraphError as exc:
        print(f"aggregator: error: {supergraph}: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, OtlpMetricsError) as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2
    try:  # no authentication can be configured here: directives would go unenforced
        check_enforceable(load(sdl), authentication_configured=False, config=AuthorizationConfig())
    except AuthorizationSetupError as exc:
        print(
            f"aggregator: error: {supergraph.name}: {exc.reason.split('; ')[0]}; serve it with "
            "--config aggregator.yaml, which configures authentication and authorization",
            file=sys.stderr,
        )
        return 2
    os.environ[_ENV] = orjson.dumps(
        {
            "supergraph": str(supergraph.resolve()),
            "subgraph_urls": subgraph_urls or {},
            "expose_query_plans": expose_query_plans,
            "graphiql": graphiql,
            "mode": mode,
            "subgraph_timeout_s": subgraph_timeout_s,
        }
    ).decode()
    settings = ServeSettings(host, port, workers, drain or DrainSettings())
    return serve_and_report("aggregator.server.run:app_from_env", settings)
