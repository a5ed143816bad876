"""Run the ASGI app under uvicorn, with one or many worker processes.

``serve --supergraph`` is production by default like ``serve --config``: the
supergraph becomes a config of its own (``supergraph_config``) and goes through the
same factory, so limits, redaction and subgraph resilience apply the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import uvicorn

from aggregator.config import GatewayConfig, ServerConfig
from aggregator.config.production import Mode
from aggregator.config.resilience import SubgraphDefaults
from aggregator.gateway import Gateway
from aggregator.observability.setup import configure_tracing_from_env
from aggregator.server.app import GatewayApp, create_app
from aggregator.supergraph import SupergraphError

_ENV = "AGGREGATOR_SERVE_SETTINGS"


def app_from_env() -> GatewayApp:
    """Factory for uvicorn workers: each process builds its own gateway."""
    import orjson

    from aggregator.registry.gateway_factory import gateway_from_config, server_options

    settings = orjson.loads(os.environ[_ENV])
    configure_tracing_from_env()
    config = supergraph_config(settings)
    options = server_options(config)
    options.expose_query_plans = settings["expose_query_plans"]
    if settings["graphiql"] is not None:
        options.graphiql = settings["graphiql"]
    return create_app(
        gateway_from_config(config, Path(settings["supergraph"]).read_text()), options
    )


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
) -> int:
    import orjson

    try:
        sdl = supergraph.read_text()
        Gateway.from_supergraph_sdl(sdl, subgraph_urls=subgraph_urls)
    except (OSError, SupergraphError) as exc:
        print(f"error: cannot load supergraph {supergraph}: {exc}", file=sys.stderr)
        return 1
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
    print(f"aggregator: serving on http://{host}:{port}/graphql", flush=True)
    uvicorn.run(
        "aggregator.server.run:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    return 0
