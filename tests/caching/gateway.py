"""A gateway built from an ``aggregator.yaml`` with a ``cache:`` section, served over HTTP.

Goes through the same path as ``aggregator serve --config``: the loader,
``gateway_from_config`` and ``server_options``, the authenticator trusting the
demo's development key, and header rules that insert the caller's agency and
subject into subgraph requests.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDict

from aggregator.config import GatewayConfig, load_config
from aggregator.demo.auth import DEV_AUDIENCE, DEV_ISSUER, DEV_JWKS, dev_token
from aggregator.gateway import Gateway
from aggregator.registry.gateway_factory import gateway_from_config, server_options
from aggregator.server.app import create_app
from tests.caching.agencies import Agencies
from tests.support.servers import serve_asgi

ADMIN_TOKEN = "test-admin-token-0123456789abcdefghij"

BASE = f"""
supergraph_file: supergraph.graphql
auth:
  anonymous: true
  issuers:
    - issuer: {DEV_ISSUER}
      audience: {DEV_AUDIENCE}
      algorithms: [ES256]
      keys: [{DEV_JWKS}]
headers:
  all:
    - insert: x-agency
      claim: agency
    - insert: x-subject
      claim: subject
"""

# whole-response entries off: these tests count the entity and root entries themselves
# (tests/caching/test_responses.py covers whole responses)
DEFAULT_CACHE = f"""
cache:
  admin_token: {ADMIN_TOKEN}
  responses: false
"""


def write_config(directory: Path, agencies: Agencies, cache_section: str = DEFAULT_CACHE) -> Path:
    (directory / "supergraph.graphql").write_text(agencies.supergraph())
    path = directory / "aggregator.yaml"
    path.write_text(BASE + cache_section)
    return path


def token(subject: str, agency: str | None = None, scopes: tuple[str, ...] = ()) -> str:
    return dev_token(subject, agency=agency, scopes=scopes)


@dataclass
class Response:
    status: int
    headers: CIMultiDict[str]
    body: Any


@dataclass
class Served:
    url: str
    gateway: Gateway
    config: GatewayConfig
    session: aiohttp.ClientSession

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, bearer: str | None = None
    ) -> Response:
        headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
        payload: dict[str, Any] = {"query": query}
        if variables:
            payload["variables"] = variables
        async with self.session.post(
            self.url + "/graphql", json=payload, headers=headers
        ) as response:
            return Response(
                response.status,
                CIMultiDict(response.headers),
                await response.json(content_type=None),
            )

    async def get(self, query: str, *, headers: dict[str, str] | None = None) -> Response:
        async with self.session.get(
            self.url + "/graphql", params={"query": query}, headers=headers or {}
        ) as response:
            raw = await response.read()
            return Response(
                response.status, CIMultiDict(response.headers), orjson.loads(raw) if raw else None
            )

    async def admin(
        self, method: str, path: str, payload: Any = None, token: str | None = ADMIN_TOKEN
    ) -> Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        async with self.session.request(
            method, self.url + path, json=payload, headers=headers
        ) as response:
            raw = await response.read()
            try:
                parsed = orjson.loads(raw)
            except orjson.JSONDecodeError:
                parsed = raw.decode()
            return Response(response.status, CIMultiDict(response.headers), parsed)

    def metrics(self) -> dict[str, Any]:
        assert self.gateway.cache is not None
        return self.gateway.cache.store.metrics.snapshot()


@contextlib.asynccontextmanager
async def serve_gateway(config_path: Path) -> AsyncIterator[Served]:
    config = load_config(config_path)
    sdl = config.supergraph_file.read_text() if config.supergraph_file else ""
    gateway = gateway_from_config(config, sdl)
    app = create_app(gateway, server_options(config))
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(app))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        yield Served(url, gateway, config, session)
