"""SDL fetching from real HTTP services: federation, plain GraphQL, files, and broken ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from graphql import build_ast_schema, parse

from aggregator.config import SdlSource, SubgraphConfig
from aggregator.registry import SdlFetchError, fetch_subgraph_sdl
from tests.config.subgraphs import fixed_response, plain_app, products_app
from tests.support.servers import free_port, serve_asgi


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def test_service_source_asks_the_federation_subgraph(session: aiohttp.ClientSession) -> None:
    async with serve_asgi(products_app()) as base:
        sdl = await fetch_subgraph_sdl(SubgraphConfig("products", f"{base}/graphql"), session)
    assert 'type Product @key(fields: "upc")' in sdl
    assert "topProducts(first: Int! = 5): [Product!]!" in sdl


async def test_introspection_source_turns_a_plain_service_into_a_fed2_subgraph(
    session: aiohttp.ClientSession,
) -> None:
    async with serve_asgi(plain_app()) as base:
        cfg = SubgraphConfig("licences", f"{base}/graphql", sdl_source=SdlSource.INTROSPECTION)
        sdl = await fetch_subgraph_sdl(cfg, session)
    assert sdl.startswith('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")')
    document = parse(sdl)
    schema = build_ast_schema(document, assume_valid_sdl=True)
    query = schema.query_type
    assert query is not None
    assert query.fields["licences"].description == "Licences issued by the agency"
    licence = schema.get_type("Licence")
    assert licence is not None
    assert licence.fields["holder"].deprecation_reason == "use holderName"  # type: ignore[attr-defined]
    assert "@key" not in sdl
    assert "@shareable" not in sdl


async def test_file_source_reads_the_file(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    path = tmp_path / "a.graphql"
    path.write_text("type Query { a: Int }\n", encoding="utf-8")
    cfg = SubgraphConfig("a", "http://127.0.0.1:1/graphql", SdlSource.FILE, sdl_file=path)
    assert await fetch_subgraph_sdl(cfg, session) == "type Query { a: Int }\n"


async def test_file_that_does_not_parse_names_subgraph_and_position(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    path = tmp_path / "a.graphql"
    path.write_text("type Query {\n  a: Int\n  b Int\n}\n", encoding="utf-8")
    cfg = SubgraphConfig("a", "http://127.0.0.1:1/graphql", SdlSource.FILE, sdl_file=path)
    with pytest.raises(SdlFetchError) as info:
        await fetch_subgraph_sdl(cfg, session)
    assert str(info.value) == (
        f"subgraph 'a' ({path}): SDL does not parse at line 3, column 5: "
        "Syntax Error: Expected ':', found Name 'Int'."
    )


async def test_unreachable_subgraph_names_itself(session: aiohttp.ClientSession) -> None:
    url = f"http://127.0.0.1:{free_port()}/graphql"
    with pytest.raises(SdlFetchError) as info:
        await fetch_subgraph_sdl(SubgraphConfig("products", url), session)
    assert info.value.subgraph == "products"
    assert str(info.value).startswith(f"subgraph 'products' ({url}): unreachable: ")


@pytest.mark.parametrize(
    ("status", "body", "content_type", "reason"),
    [
        (500, b"boom", "text/plain", "HTTP 500: boom"),
        (200, b"<html>", "text/html", "response is not JSON"),
        (
            200,
            b'{"errors":[{"message":"Cannot query field _service"}]}',
            "application/json",
            "answered with errors: Cannot query field _service",
        ),
        (
            200,
            b'{"data":{}}',
            "application/json",
            "response has no data._service.sdl; is it a federation subgraph? "
            "(use sdl_source: introspection for a plain GraphQL service)",
        ),
        (
            200,
            b'{"data":{"_service":{"sdl":"type Query {"}}}',
            "application/json",
            "SDL does not parse at line 1, column 13: Syntax Error: Expected Name, found <EOF>.",
        ),
    ],
)
async def test_broken_service_answers_are_clear_errors(
    session: aiohttp.ClientSession, status: int, body: bytes, content_type: str, reason: str
) -> None:
    async with serve_asgi(fixed_response(status, body, content_type)) as base:
        with pytest.raises(SdlFetchError) as info:
            await fetch_subgraph_sdl(SubgraphConfig("x", f"{base}/graphql"), session)
    assert info.value.reason == reason


async def test_configured_headers_are_sent(session: aiohttp.ClientSession) -> None:
    seen: list[dict[bytes, bytes]] = []
    inner = products_app()

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            seen.append(dict(scope["headers"]))
        await inner(scope, receive, send)

    async with serve_asgi(app) as base:
        cfg = SubgraphConfig("products", f"{base}/graphql", headers={"X-Agency": "dmv"})
        await fetch_subgraph_sdl(cfg, session)
    assert seen[0][b"x-agency"] == b"dmv"
