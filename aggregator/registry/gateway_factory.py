"""Build the lead's Gateway and server options from a config.

Per-subgraph settings (timeout, headers, TLS) become one HTTP client per
remote subgraph, and ``python``/``connector`` entries become in-process
subgraphs; the URL comes from the config, so moving a subgraph is a config
edit, not a recomposition. Subgraphs the supergraph knows but the config
does not (a ``supergraph_file`` config) keep the supergraph's URL.
"""

from __future__ import annotations

import difflib

from aggregator.config import ConfigError, GatewayConfig, SubgraphConfig
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.registry.inprocess import in_process_subgraph
from aggregator.server.app import ServerOptions
from aggregator.server.cors import CorsPolicy
from aggregator.server.persisted import MemoryStore, RedisStore
from aggregator.supergraph import Supergraph
from aggregator.transport.base import Subgraph
from aggregator.transport.http import HttpSubgraph, HttpSubgraphOptions


def http_options(sub: SubgraphConfig) -> HttpSubgraphOptions:
    tls = sub.tls
    return HttpSubgraphOptions(
        timeout_s=sub.timeout_s,
        headers=dict(sub.headers),
        ca_file=str(tls.ca_file) if tls is not None and tls.ca_file is not None else None,
        cert_file=str(tls.cert_file) if tls is not None and tls.cert_file is not None else None,
        key_file=str(tls.key_file) if tls is not None and tls.key_file is not None else None,
    )


def gateway_from_config(config: GatewayConfig, sdl: str) -> Gateway:
    clients: dict[str, Subgraph] = {
        sub.name: in_process_subgraph(sub) if sub.in_process
        else HttpSubgraph(sub.name, sub.url, http_options(sub))
        for sub in config.subgraphs}
    gateway = Gateway.from_supergraph_sdl(
        sdl,
        subgraphs=clients,
        options=GatewayOptions(propagate_headers=config.server.propagate_headers),
    )
    if config.supergraph_file is not None:
        check_names(config, gateway.supergraph)  # a misspelt entry explains an unserved one
    gateway.require_every_subgraph()
    for name in list(gateway.subgraphs):  # e.g. an optional subgraph left out of composition
        if name not in gateway.supergraph.model.subgraphs:
            del gateway.subgraphs[name]
    return gateway


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


def check_names(config: GatewayConfig, supergraph: Supergraph) -> None:
    """With a supergraph file, every subgraphs entry must name one of its subgraphs."""
    known = supergraph.model.subgraphs
    for index, sub in enumerate(config.subgraphs):
        if sub.name not in known:
            hint = difflib.get_close_matches(sub.name, list(known), n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else \
                "it has: " + ", ".join(sorted(known))
            raise ConfigError(
                f"'{sub.name}' is not a subgraph of {config.supergraph_file} ({suggestion})",
                file=config.path.name if config.path is not None else None,
                key=f"subgraphs[{index}].name")
