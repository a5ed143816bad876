"""Automatic persisted queries: hash first, document on a miss, shared through Redis."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator

import aiohttp
import pytest

from aggregator.gateway import Gateway
from aggregator.server import ServerOptions, create_app
from aggregator.server.persisted import PersistedQueryStore, RedisStore
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import redis_server, serve_asgi

QUERY = "{ me { name } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
HASH_ONLY = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": SHA}}}


@contextlib.asynccontextmanager
async def gateways(*stores: PersistedQueryStore | None) -> AsyncIterator[list[str]]:
    async with contextlib.AsyncExitStack() as stack:
        app = FederatedSubgraph("accounts", SDLS["accounts"], RESOLVERS["accounts"])
        url = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        urls = []
        for store in stores:
            gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls={"accounts": url})
            options = ServerOptions(persisted_queries=store)
            urls.append(
                await stack.enter_async_context(serve_asgi(create_app(gateway, options)))
                + "/graphql"
            )
        yield urls


async def post(url: str, body: dict) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status, await response.json()


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_hash_miss_then_register_then_hit() -> None:
    async with gateways(ServerOptions().persisted_queries) as [url]:
        status, body = await post(url, HASH_ONLY)
        assert (status, codes(body)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])
        assert body["errors"][0]["message"] == "PersistedQueryNotFound"
        status, body = await post(url, {"query": QUERY, **HASH_ONLY})
        assert (status, body) == (200, {"data": {"me": {"name": "Ada Lovelace"}}})
        status, body = await post(url, HASH_ONLY)
        assert (status, body) == (200, {"data": {"me": {"name": "Ada Lovelace"}}})
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                url,
                params={"extensions": f'{{"persistedQuery":{{"version":1,"sha256Hash":"{SHA}"}}}}'},
            ) as response,
        ):
            assert await response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}


async def test_a_document_that_does_not_match_its_hash_is_refused() -> None:
    async with gateways(ServerOptions().persisted_queries) as [url]:
        status, body = await post(url, {"query": "{ me { id } }", **HASH_ONLY})
        assert (status, codes(body)) == (400, ["BAD_REQUEST"])
        status, body = await post(url, HASH_ONLY)
        assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_disabled_store_says_not_supported_but_runs_full_requests() -> None:
    async with gateways(None) as [url]:
        status, body = await post(url, HASH_ONLY)
        assert (status, codes(body)) == (400, ["PERSISTED_QUERY_NOT_SUPPORTED"])
        status, body = await post(url, {"query": QUERY, **HASH_ONLY})
        assert body == {"data": {"me": {"name": "Ada Lovelace"}}}


@pytest.mark.timeout(60)
async def test_redis_shares_documents_between_replicas() -> None:
    with redis_server() as redis_url:
        first, second = RedisStore(redis_url), RedisStore(redis_url)
        try:
            async with gateways(first, second) as [one, two]:
                await post(one, {"query": QUERY, **HASH_ONLY})
                status, body = await post(two, HASH_ONLY)
                assert (status, body) == (200, {"data": {"me": {"name": "Ada Lovelace"}}})
        finally:
            await first.close()
            await second.close()


async def test_redis_outage_degrades_to_a_miss() -> None:
    store = RedisStore("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        assert await store.get(SHA) is None
        await store.put(SHA, QUERY)  # logged, not raised
    finally:
        await store.close()
