"""``serve --supergraph``: serve a supergraph file under uvicorn, one or many workers.

Without a config file, logging and metrics come from the environment
(``AGGREGATOR_LOG_FORMAT``, ``AGGREGATOR_METRICS``, ...; see
docs/observability.md); TLS and in-process agencies need ``serve --config``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aggregator.config import ConfigError
from aggregator.config.authorization import AuthorizationConfig
from aggregator.config.observability import ObservabilityConfig
from aggregator.gateway import Gateway
from aggregator.observability.otlp_metrics import OtlpMetricsError, check_exporter
from aggregator.security.authorization import AuthorizationSetupError, check_enforceable
from aggregator.server.app import ServerOptions, create_app
from aggregator.server.gc_tuning import tune_for_serving
from aggregator.server.graceful import DrainSettings
from aggregator.server.launch import ServeSettings, serve_and_report
from aggregator.server.stack import App, StackSettings, prepare_process, server_stack
from aggregator.supergraph import SupergraphError, load

_ENV = "AGGREGATOR_SERVE_SETTINGS"


def app_from_env() -> App:
    """Factory for uvicorn workers: each process builds its own gateway."""
    import orjson

    settings = orjson.loads(os.environ[_ENV])
    observability = ObservabilityConfig()
    prepare_process(observability)
    gateway = Gateway.from_supergraph_sdl(
        Path(settings["supergraph"]).read_text(), subgraph_urls=settings["subgraph_urls"]
    )
    gateway.require_every_subgraph()
    app = create_app(
        gateway,
        ServerOptions(
            expose_query_plans=settings["expose_query_plans"], graphiql=settings["graphiql"]
        ),
    )
    tune_for_serving()
    return server_stack(app, StackSettings(observability=observability))


def serve_supergraph(
    supergraph: Path,
    *,
    host: str,
    port: int,
    workers: int = 1,
    subgraph_urls: dict[str, str] | None = None,
    expose_query_plans: bool = False,
    graphiql: bool = True,
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
        }
    ).decode()
    settings = ServeSettings(host, port, workers, drain or DrainSettings())
    return serve_and_report("aggregator.server.run:app_from_env", settings)
