"""Build the lead's Gateway and server options from a config.

Subgraph clients come from the one transport factory (aggregator/transport/factory.py):
per-subgraph settings (timeout, headers, TLS) make one HTTP client per remote subgraph,
``python``/``connector`` entries in-process subgraphs; the URL comes from the config,
so moving a subgraph is a config edit, not a recomposition.
"""

from __future__ import annotations

from aggregator.config import GatewayConfig
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.registry.inprocess import in_process_subgraph
from aggregator.server.app import ServerOptions
from aggregator.server.cors import CorsPolicy
from aggregator.server.persisted import MemoryStore, RedisStore
from aggregator.supergraph import load
from aggregator.transport.factory import subgraph_clients


def gateway_from_config(config: GatewayConfig, sdl: str) -> Gateway:
    supergraph = load(sdl)
    clients = subgraph_clients(supergraph.model, config, in_process=in_process_subgraph)
    return Gateway(
        supergraph, clients, GatewayOptions(propagate_headers=config.server.propagate_headers)
    )


def server_options(config: GatewayConfig) -> ServerOptions:
    server = config.server
    return ServerOptions(
        max_body_bytes=server.max_body_bytes,
        graphiql=server.graphiql,
        expose_query_plans=server.expose_query_plans,
        example_operations=[(e.title, e.query) for e in config.example_operations],
        cors=CorsPolicy(frozenset(server.cors_origins)) if server.cors_origins else None,
        persisted_queries=RedisStore(server.redis_url) if server.redis_url else MemoryStore(),
    )
