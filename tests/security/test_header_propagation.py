"""Header rules end to end: what a real subgraph receives per caller, from a loaded config."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from aggregator.config import load_config
from aggregator.demo.auth import DEV_JWKS, dev_token
from aggregator.gateway import Gateway
from aggregator.registry.gateway_factory import gateway_from_config, server_options
from aggregator.security.identity import Identity
from aggregator.server import create_app
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

QUERY = "{ topProducts(first: 1) { name } }"
ANSWER = {"data": {"topProducts": [{"name": "Table"}]}}

DEV_AUTH = f"""
auth:
  anonymous: true
  issuers:
    - issuer: https://aggregator-demo.invalid/dev-only
      audience: aggregator-demo
      algorithms: [ES256]
      keys: [{DEV_JWKS}]
"""


class Recorder:
    """The products subgraph, recording the headers of every request it gets."""

    def __init__(self) -> None:
        self.app = FederatedSubgraph("products", SDLS["products"], RESOLVERS["products"])
        self.headers: list[dict[str, str]] = []
        self.release: asyncio.Event | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
            if self.release is not None:
                await asyncio.wait_for(self.release.wait(), 10)
        await self.app(scope, receive, send)


@contextlib.asynccontextmanager
async def configured(tmp_path: Path, text: str) -> AsyncIterator[tuple[Recorder, Gateway, str]]:
    """A gateway from ``text`` (``{url}`` = the recording subgraph), served over HTTP."""
    recorder = Recorder()
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(recorder)) + "/graphql"
        (tmp_path / "products.graphql").write_text(SDLS["products"])
        (tmp_path / "aggregator.yaml").write_text(text.format(url=url))
        config = load_config(tmp_path / "aggregator.yaml")
        gateway = gateway_from_config(config, SUPERGRAPH)
        stack.push_async_callback(gateway.close)
        app = create_app(gateway, server_options(config))
        base = await stack.enter_async_context(serve_asgi(app))
        yield recorder, gateway, base


async def post(base: str, headers: dict[str, str]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base}/graphql", json={"query": QUERY}, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None)


PRODUCTS = """
subgraphs:
  - name: products
    url: {url}
    sdl_source: file
    sdl_file: products.graphql
    headers: {{Authorization: "Bearer service-token", X-Static: static}}
"""


async def test_rules_forward_rename_insert_remove_and_configured_headers_win(
    tmp_path: Path,
) -> None:
    text = (
        PRODUCTS
        + """
server:
  propagate_headers: [authorization, accept-language]
headers:
  all:
    - forward: x-request-id
    - insert: x-gateway
      value: gw-1
  subgraphs:
    products:
      - insert: x-agency
        claim: agency
      - insert: x-scopes
        claim: scopes
      - insert: x-unit
        claim: unit
      - rename: x-request-id
        to: x-correlation-id
      - remove: x-static
"""
        + DEV_AUTH
    )
    token = dev_token("alice", agency="tax", scopes=["tax:read", "a:b"], claims={"unit": 7})
    client = {
        "Authorization": f"Bearer {token}",
        "Accept-Language": "fr",
        "X-Agency": "health",  # a client claiming an agency is ignored
        "X-Request-Id": "r-1",
        "Cookie": "session=secret",
    }
    async with configured(tmp_path, text) as (recorder, _, base):
        assert await post(base, client) == (200, ANSWER)
        anonymous = {k: v for k, v in client.items() if k != "Authorization"}
        assert await post(base, anonymous) == (200, ANSWER)
    signed_in, anon = recorder.headers
    assert signed_in["authorization"] == "Bearer service-token"  # never the client's token
    assert signed_in["accept-language"] == "fr"
    assert signed_in["x-agency"] == "tax"
    assert signed_in["x-scopes"] == "a:b tax:read"
    assert signed_in["x-unit"] == "7"
    assert signed_in["x-request-id"] == signed_in["x-correlation-id"] == "r-1"
    assert signed_in["x-gateway"] == "gw-1"
    assert "x-static" not in signed_in
    assert "cookie" not in signed_in
    assert anon["authorization"] == "Bearer service-token"
    assert "x-agency" not in anon
    assert "x-scopes" not in anon


async def test_an_override_rule_sends_the_callers_token_or_none_never_the_gateways(
    tmp_path: Path,
) -> None:
    text = (
        PRODUCTS
        + """
headers:
  subgraphs:
    products:
      - forward: authorization
        override: true
"""
        + DEV_AUTH
    )
    token = dev_token("alice", agency="tax")
    async with configured(tmp_path, text) as (recorder, _, base):
        assert await post(base, {"Authorization": f"Bearer {token}"}) == (200, ANSWER)
        assert await post(base, {}) == (200, ANSWER)
    signed_in, anon = recorder.headers
    assert signed_in["authorization"] == f"Bearer {token}"
    assert "authorization" not in anon
    assert signed_in["x-static"] == anon["x-static"] == "static"


async def test_without_rules_authorization_never_reaches_a_subgraph(tmp_path: Path) -> None:
    text = "subgraphs:\n  - name: products\n    url: {url}\n    sdl_source: file\n"
    text += "    sdl_file: products.graphql\n" + DEV_AUTH
    async with configured(tmp_path, text) as (recorder, _, base):
        token = dev_token("alice", agency="tax")
        assert await post(base, {"Authorization": f"Bearer {token}"}) == (200, ANSWER)
    [sent] = recorder.headers
    assert "authorization" not in sent
    assert not any(name.startswith("x-") for name in sent)


async def test_callers_of_different_agencies_never_share_an_in_flight_request(
    tmp_path: Path,
) -> None:
    text = (
        "subgraphs:\n  - name: products\n    url: {url}\n    sdl_source: file\n"
        "    sdl_file: products.graphql\n"
        "headers:\n  subgraphs:\n    products:\n      - insert: x-agency\n        claim: agency\n"
        + DEV_AUTH
    )
    tax = Identity("alice", "dev", agency="tax")
    tax_again = Identity("bob", "dev", agency="tax")
    health = Identity("carol", "dev", agency="health")
    async with configured(tmp_path, text) as (recorder, gateway, _):
        recorder.release = asyncio.Event()
        tasks = [
            asyncio.ensure_future(gateway.execute(QUERY, identity=identity))
            for identity in (tax, health, tax_again)
        ]
        await asyncio.sleep(0.2)  # every request is now waiting at the subgraph or in flight
        recorder.release.set()
        results = await asyncio.gather(*tasks)
    assert results == [ANSWER] * 3
    agencies = sorted(h["x-agency"] for h in recorder.headers)
    assert agencies == ["health", "tax"]  # the two tax callers shared one request, health did not
