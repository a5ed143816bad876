"""A failing agency costs only its part of the response, never a 500."""

from __future__ import annotations

import contextlib

import aiohttp

from aggregator.gateway import Gateway
from aggregator.server import create_app
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import free_port, serve_asgi


async def _broken_body(scope: dict, receive: object, send: object) -> None:
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,  # type: ignore[operator]
            "headers": [(b"content-type", b"text/html")],
        }
    )
    await send({"type": "http.response.body", "body": b"<html>oops</html>"})  # type: ignore[operator]


async def _http_500(scope: dict, receive: object, send: object) -> None:
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 500,  # type: ignore[operator]
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"boom"})  # type: ignore[operator]


async def _query(inventory_app: object | None, query: str) -> tuple[int, dict]:
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name in ("products", "reviews", "accounts"):
            app = FederatedSubgraph(name, SDLS[name], RESOLVERS[name])
            urls[name] = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        if inventory_app is None:
            urls["inventory"] = f"http://127.0.0.1:{free_port()}/graphql"  # nothing listens
        else:
            urls["inventory"] = await stack.enter_async_context(serve_asgi(inventory_app)) + "/"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        base = await stack.enter_async_context(serve_asgi(create_app(gateway)))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        async with session.post(base + "/graphql", json={"query": query}) as response:
            return response.status, await response.json()


QUERY = "{ topProducts(first: 2) { name inStock } }"


async def test_refused_connection_gives_partial_data_and_an_error() -> None:
    status, body = await _query(None, QUERY)
    assert status == 200
    assert body["data"] == {
        "topProducts": [{"name": "Table", "inStock": None}, {"name": "Couch", "inStock": None}]
    }
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert error["extensions"]["serviceName"] == "inventory"
    assert "Traceback" not in error["message"]


async def test_http_500_gives_partial_data_and_the_status() -> None:
    status, body = await _query(_http_500, QUERY)
    assert status == 200
    assert body["data"]["topProducts"][0] == {"name": "Table", "inStock": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert error["extensions"]["http"] == {"status": 500}


async def test_non_json_body_is_a_malformed_response() -> None:
    status, body = await _query(_broken_body, QUERY)
    assert status == 200
    assert body["data"]["topProducts"][1] == {"name": "Couch", "inStock": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SUBREQUEST_MALFORMED_RESPONSE"]


async def test_null_in_non_null_position_propagates_to_the_nearest_nullable_parent() -> None:
    # users: [User!]! with a subgraph returning a null item nulls the whole data
    app = FederatedSubgraph(
        "accounts",
        SDLS["accounts"],
        {
            **RESOLVERS["accounts"],
            "Query": {**RESOLVERS["accounts"]["Query"], "users": lambda *_: [{"id": "1"}, None]},
        },
    )
    async with contextlib.AsyncExitStack() as stack:
        urls = {"accounts": await stack.enter_async_context(serve_asgi(app)) + "/graphql"}
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        result = await gateway.execute("{ users { id } me { id } }")
        await gateway.close()
    assert result["data"] is None
    assert [e["path"] for e in result["errors"]] == [["users", 1]]
