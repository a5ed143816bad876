"""Run the ASGI app under uvicorn, with one or many worker processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aggregator.gateway import Gateway
from aggregator.observability.setup import configure_tracing_from_env
from aggregator.server.app import GatewayApp, ServerOptions, create_app
from aggregator.server.gc_tuning import tune_for_serving
from aggregator.server.workers import serve
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
    app = create_app(
        gateway,
        ServerOptions(
            expose_query_plans=settings["expose_query_plans"], graphiql=settings["graphiql"]
        ),
    )
    tune_for_serving()
    return app


def serve_supergraph(
    supergraph: Path,
    *,
    host: str,
    port: int,
    workers: int = 1,
    subgraph_urls: dict[str, str] | None = None,
    expose_query_plans: bool = False,
    graphiql: bool = True,
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
    print(f"aggregator: serving on http://{host}:{port}/graphql", flush=True)
    return serve("aggregator.server.run:app_from_env", host=host, port=port, workers=workers)
