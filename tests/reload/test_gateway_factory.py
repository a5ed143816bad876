"""Per-subgraph config (URL, headers, timeout, mTLS) reaches the gateway's subgraph requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aggregator.config import GatewayConfig, SdlSource, ServerConfig, SubgraphConfig, TlsConfig
from aggregator.registry import build_supergraph, gateway_from_config, server_options
from tests.config.subgraphs import Asgi, plain_app
from tests.config.tls_certs import make_pki, serve_mtls
from tests.reload.backends import SDL_WITHOUT_SLOW, Backend, supergraph
from tests.support.servers import serve_asgi


def recording(app: Asgi, seen: list[dict[bytes, bytes]]) -> Asgi:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(dict(scope["headers"]))
        await app(scope, receive, send)

    return wrapped


async def test_config_url_and_headers_are_used_for_subgraph_requests() -> None:
    backend = Backend()
    seen: list[dict[bytes, bytes]] = []
    # composed with a URL nobody listens on: the config's URL must win
    sdl = supergraph("http://products.invalid/graphql", SDL_WITHOUT_SLOW)
    async with serve_asgi(recording(backend.app, seen)) as base:
        config = GatewayConfig(
            subgraphs=(
                SubgraphConfig(
                    "products", f"{base}/graphql", timeout_s=5, headers={"X-Agency": "dmv"}
                ),
            )
        )
        gateway = gateway_from_config(config, sdl)
        try:
            assert await gateway.execute("{ ping }") == {"data": {"ping": "pong"}}
        finally:
            await gateway.close()
    assert seen[0][b"x-agency"] == b"dmv"


async def test_mtls_subgraph_through_the_gateway(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    backend = Backend()
    async with serve_mtls(backend.app, pki) as base:
        tls = TlsConfig(ca_file=pki.ca, cert_file=pki.client_cert, key_file=pki.client_key)
        config = GatewayConfig(subgraphs=(SubgraphConfig("products", f"{base}/graphql", tls=tls),))
        gateway = gateway_from_config(config, supergraph(f"{base}/graphql", SDL_WITHOUT_SLOW))
        try:
            assert await gateway.execute("{ ping }") == {"data": {"ping": "pong"}}
        finally:
            await gateway.close()


def test_server_options_follow_the_config() -> None:
    config = GatewayConfig(
        server=ServerConfig(graphiql=False, expose_query_plans=True, max_body_bytes=1000)
    )
    options = server_options(config)
    assert (options.graphiql, options.expose_query_plans, options.max_body_bytes) == (
        False,
        True,
        1000,
    )


async def test_plain_graphql_service_joins_the_graph_through_introspection() -> None:
    backend = Backend()
    async with serve_asgi(backend.app) as products, serve_asgi(plain_app()) as licences:
        config = GatewayConfig(
            subgraphs=(
                SubgraphConfig("products", f"{products}/graphql"),
                SubgraphConfig("licences", f"{licences}/graphql", SdlSource.INTROSPECTION),
            )
        )
        gateway = gateway_from_config(config, await build_supergraph(config))
        try:
            result = await gateway.execute('{ ping licences(state: "VA") { number holderName } }')
        finally:
            await gateway.close()
    assert result == {"data": {"ping": "pong", "licences": [{"number": "L1", "holderName": "Ann"}]}}
