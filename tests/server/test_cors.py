"""Browser apps on named origins may call the gateway; others get no CORS grant."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest

from aggregator.gateway import Gateway
from aggregator.server import ServerOptions, create_app
from aggregator.server.cors import CorsPolicy
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

PORTAL = "https://portal.agency.gov"


@pytest.fixture(scope="module")
async def gateway_url() -> AsyncIterator[str]:
    async with contextlib.AsyncExitStack() as stack:
        app = FederatedSubgraph("accounts", SDLS["accounts"], RESOLVERS["accounts"])
        url = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls={"accounts": url})
        options = ServerOptions(cors=CorsPolicy(frozenset({PORTAL})))
        yield await stack.enter_async_context(serve_asgi(create_app(gateway, options))) + "/graphql"


async def test_preflight_from_an_allowed_origin(gateway_url: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.options(
            gateway_url,
            headers={
                "origin": PORTAL,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type, authorization",
            },
        ) as response,
    ):
        assert response.status == 204
        assert response.headers["access-control-allow-origin"] == PORTAL
        assert "POST" in response.headers["access-control-allow-methods"]
        assert "authorization" in response.headers["access-control-allow-headers"]
        assert "access-control-allow-credentials" not in response.headers


async def test_responses_to_an_allowed_origin_carry_the_grant(gateway_url: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            gateway_url, json={"query": "{ me { name } }"}, headers={"origin": PORTAL}
        ) as response,
    ):
        assert response.status == 200
        assert response.headers["access-control-allow-origin"] == PORTAL
        assert response.headers["vary"] == "origin"
        assert await response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}


async def test_other_origins_get_no_grant(gateway_url: str) -> None:
    evil = "https://evil.example"
    async with aiohttp.ClientSession() as session:
        async with session.options(
            gateway_url, headers={"origin": evil, "access-control-request-method": "POST"}
        ) as response:
            assert response.status == 204
            assert "access-control-allow-origin" not in response.headers
        async with session.post(
            gateway_url, json={"query": "{ me { name } }"}, headers={"origin": evil}
        ) as response:
            assert "access-control-allow-origin" not in response.headers


def test_wildcard_never_comes_with_credentials() -> None:
    assert CorsPolicy(frozenset({"*"})).allows("https://any.example")
    assert not CorsPolicy(frozenset({"*"}), allow_credentials=True).allows("https://any.example")
