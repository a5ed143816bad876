"""``serve --supergraph``: the ASGI app over one supergraph file, in one or many processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aggregator.gateway import Gateway
from aggregator.observability.setup import configure_tracing_from_env
from aggregator.server.app import GatewayApp, ServerOptions, create_app
from aggregator.server.graceful import DrainSettings
from aggregator.server.launch import ServeSettings, serve_and_report
from aggregator.supergraph import SupergraphError

_ENV = "AGGREGATOR_SERVE_SETTINGS"


def app_from_env() -> GatewayApp:
    """Factory for uvicorn workers: each process builds its own gateway."""
    import orjson

    settings = orjson.loads(os.environ[_ENV])
    configure_tracing_from_env()
    gateway = Gateway.from_supergraph_sdl(
        Path(settings["supergraph"]).read_text(), subgraph_urls=settings["subgraph_urls"]
    )
    return create_app(
        gateway,
        ServerOptions(
            expose_query_plans=settings["expose_query_plans"], graphiql=settings["graphiql"]
        ),
    )


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
        }
    ).decode()
    settings = ServeSettings(host, port, workers, drain or DrainSettings())
    return serve_and_report("aggregator.server.run:app_from_env", settings)

