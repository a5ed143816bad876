"""A gateway with authentication in front of a real subgraph, and a real identity provider.

Everything runs on loopback: the identity provider serves its JWKS over HTTP,
the gateway is the real ASGI app under uvicorn, and the products subgraph
counts the requests that reach it, so "nothing reached a subgraph" is a number.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from aggregator.config.auth_model import AuthConfig, IssuerConfig, JwksCacheConfig
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.security.authn import JwtAuthenticator, build_authenticator
from aggregator.security.propagation import HeaderPropagation
from aggregator.server import ServerOptions, create_app
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.security.idp import FakeClock, IdentityProvider, rsa_key
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

QUERY = {"query": "{ topProducts(first: 1) { name } }"}
ANSWER = {"data": {"topProducts": [{"name": "Table"}]}}
ISSUER = "https://idp.example"


@dataclass
class AuthStack:
    idp: IdentityProvider
    subgraph: FederatedSubgraph
    authenticator: JwtAuthenticator
    gateway: Gateway
    url: str
    session: aiohttp.ClientSession
    clock: FakeClock

    async def post(
        self,
        token: str | None = None,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: Any = QUERY,
        path: str = "/graphql",
    ) -> tuple[int, dict[str, Any], CIMultiDict[str]]:
        sent: CIMultiDict[str] = CIMultiDict(headers)
        if token is not None:
            sent.add("Authorization", f"Bearer {token}")
        async with self.session.post(self.url + path, json=body, headers=sent) as response:
            return (
                response.status,
                await response.json(content_type=None),
                CIMultiDict(response.headers),
            )

    def reached_subgraph(self) -> int:
        return len(self.subgraph.requests)


def issuer_config(idp: IdentityProvider, **changes: Any) -> IssuerConfig:
    """An issuer named ``https://idp.example`` whose keys the test provider serves."""
    base = IssuerConfig(
        issuer=ISSUER,
        audiences=("aggregator",),
        jwks_url=idp.jwks_url,
        algorithms=("RS256", "ES256"),
    )
    return dataclasses.replace(base, **changes)


@contextlib.asynccontextmanager
async def auth_stack(
    *,
    issuer: dict[str, Any] | None = None,
    auth: dict[str, Any] | None = None,
    cache: JwksCacheConfig | None = None,
    headers: HeaderPropagation | None = None,
) -> AsyncIterator[AuthStack]:
    idp = IdentityProvider(issuer_name=ISSUER)
    idp.add_key("rsa-1", rsa_key(0), "RS256")
    subgraph = FederatedSubgraph("products", SDLS["products"], RESOLVERS["products"])
    clock = FakeClock()
    async with contextlib.AsyncExitStack() as stack:
        idp.base_url = await stack.enter_async_context(serve_asgi(idp))
        sub_url = await stack.enter_async_context(serve_asgi(subgraph)) + "/graphql"
        config = AuthConfig(
            issuers=(issuer_config(idp, **(issuer or {})),),
            jwks_cache=cache or JwksCacheConfig(),
            **(auth or {}),
        )
        authenticator = build_authenticator(config, clock=clock)
        stack.push_async_callback(authenticator.close)
        gateway = Gateway.from_supergraph_sdl(
            SUPERGRAPH,
            subgraph_urls={"products": sub_url},
            options=GatewayOptions(headers=headers),
        )
        stack.push_async_callback(gateway.close)
        options = ServerOptions(authenticator=authenticator, expose_query_plans=True)
        url = await stack.enter_async_context(serve_asgi(create_app(gateway, options)))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        yield AuthStack(idp, subgraph, authenticator, gateway, url, session, clock)


@pytest.fixture(scope="module")
async def stack() -> AsyncIterator[AuthStack]:
    """One stack shared by a module's tests that do not count key-set fetches."""
    async with auth_stack() as shared:
        yield shared
