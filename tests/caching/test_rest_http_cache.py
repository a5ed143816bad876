"""REST connectors honour their backend's HTTP caching: max-age, ETag revalidation, 304.

A real aiohttp backend answers with ``Cache-Control`` and ``ETag``, honours
``If-None-Match`` with 304, and records every request it gets; the gateway is
built from an ``aggregator.yaml`` with a connector subgraph and a cache section.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from aggregator.config import load_config
from aggregator.registry.build import build_supergraph
from aggregator.registry.gateway_factory import gateway_from_config, server_options
from aggregator.server.app import create_app
from tests.caching.gateway import BASE, token
from tests.support.servers import serve_asgi

CONNECTOR = """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
  @source(name: "rates", baseURL: "http://rates.invalid", forwardHeaders: ["Authorization"])

type Query {
  rate(code: ID!): Rate @rest(source: "rates", path: "/rates/{$args.code}")
}

type Rate {
  code: ID!
  value: Float!
}
"""

RATE = "query($code: ID!) { rate(code: $code) { code value } }"


@dataclass
class RatesBackend:
    cache_control: str | None = None
    etag: str | None = None
    value: float = 1.5
    seen: list[dict[str, str]] = field(default_factory=list)
    not_modified: int = 0

    def app(self) -> web.Application:
        async def rate(request: web.Request) -> web.Response:
            self.seen.append(dict(request.headers))
            headers = {}
            if self.cache_control is not None:
                headers["Cache-Control"] = self.cache_control
            if self.etag is not None:
                headers["ETag"] = self.etag
                if request.headers.get("If-None-Match") == self.etag:
                    self.not_modified += 1
                    return web.Response(status=304, headers=headers)
            return web.json_response(
                {"code": request.match_info["code"], "value": self.value}, headers=headers
            )

        app = web.Application()
        app.router.add_get("/rates/{code}", rate)
        return app


@dataclass
class Served:
    url: str
    session: aiohttp.ClientSession

    async def rate(self, code: str = "AUD", bearer: str | None = None) -> Any:
        headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
        async with self.session.post(
            self.url + "/graphql",
            json={"query": RATE, "variables": {"code": code}},
            headers=headers,
        ) as response:
            assert response.status == 200
            return await response.json()


HINTED = (
    CONNECTOR.replace(
        'import: ["@key"])\n',
        'import: ["@key", "@composeDirective"])\n'
        '  @link(url: "https://specs.aggregator.dev/cache/v0.1", import: ["@cacheControl"])\n'
        '  @composeDirective(name: "@cacheControl")\n',
    ).replace(
        '@rest(source: "rates", path: "/rates/{$args.code}")',
        '@rest(source: "rates", path: "/rates/{$args.code}") @cacheControl(maxAge: 60)',
    )
    + """
directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean)
  repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
enum CacheControlScope { PUBLIC PRIVATE }
"""
)


@contextlib.asynccontextmanager
async def serve(
    tmp_path: Path, backend: RatesBackend, cache: str = "cache: {}\n", sdl: str = CONNECTOR
) -> AsyncIterator[Served]:
    runner = web.AppRunner(backend.app())
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        (tmp_path / "rates.graphql").write_text(sdl)
        head = BASE.replace("supergraph_file: supergraph.graphql\n", "")
        (tmp_path / "aggregator.yaml").write_text(
            head
            + "    - forward: authorization\n"
            + "subgraphs:\n  - name: rates\n    connector: rates.graphql\n"
            + f"    base_urls: {{rates: 'http://127.0.0.1:{port}'}}\n"
            + cache
        )
        config = load_config(tmp_path / "aggregator.yaml")
        gateway = gateway_from_config(config, await build_supergraph(config))
        async with (
            serve_asgi(create_app(gateway, server_options(config))) as url,
            aiohttp.ClientSession() as session,
        ):
            yield Served(url, session)
    finally:
        await runner.cleanup()


async def test_max_age_serves_from_the_cache(tmp_path: Path) -> None:
    backend = RatesBackend(cache_control="max-age=60")
    async with serve(tmp_path, backend) as gateway:
        first = await gateway.rate()
        second = await gateway.rate()
        other = await gateway.rate("NZD")
    assert first == second == {"data": {"rate": {"code": "AUD", "value": 1.5}}}
    assert other == {"data": {"rate": {"code": "NZD", "value": 1.5}}}
    assert len(backend.seen) == 2


async def test_etag_revalidation_sends_if_none_match_and_accepts_304(tmp_path: Path) -> None:
    backend = RatesBackend(cache_control="no-cache", etag='"v1"')
    async with serve(tmp_path, backend) as gateway:
        first = await gateway.rate()
        second = await gateway.rate()
        backend.etag, backend.value = '"v2"', 2.5  # the data changed at the backend
        third = await gateway.rate()
        fourth = await gateway.rate()
    assert first == second == {"data": {"rate": {"code": "AUD", "value": 1.5}}}
    assert third == fourth == {"data": {"rate": {"code": "AUD", "value": 2.5}}}
    assert "If-None-Match" not in backend.seen[0]
    assert [seen.get("If-None-Match") for seen in backend.seen[1:]] == ['"v1"', '"v1"', '"v2"']
    assert backend.not_modified == 2


async def test_a_stale_answer_is_revalidated_after_max_age(tmp_path: Path) -> None:
    backend = RatesBackend(cache_control="max-age=1", etag='"v1"')
    async with serve(tmp_path, backend) as gateway:
        await gateway.rate()
        await gateway.rate()
        assert len(backend.seen) == 1
        await asyncio.sleep(1.2)
        again = await gateway.rate()
        await gateway.rate()  # fresh again for a second after the 304
    assert again == {"data": {"rate": {"code": "AUD", "value": 1.5}}}
    assert len(backend.seen) == 2
    assert backend.seen[1]["If-None-Match"] == '"v1"'
    assert backend.not_modified == 1


async def test_no_store_is_never_kept(tmp_path: Path) -> None:
    backend = RatesBackend(cache_control="no-store", etag='"v1"')
    async with serve(tmp_path, backend) as gateway:
        await gateway.rate()
        await gateway.rate()
    assert len(backend.seen) == 2
    assert "If-None-Match" not in backend.seen[1]


async def test_answers_to_authorised_calls_are_kept_per_subject(tmp_path: Path) -> None:
    backend = RatesBackend(cache_control="max-age=60")
    alice, bob = token("alice", "dmv"), token("bob", "dmv")
    async with serve(tmp_path, backend) as gateway:
        await gateway.rate(bearer=alice)
        await gateway.rate(bearer=alice)
        assert len(backend.seen) == 1
        await gateway.rate(bearer=bob)
        assert len(backend.seen) == 2
        backend.cache_control = "private, max-age=60"
        await gateway.rate("EUR")
        await gateway.rate("EUR")  # anonymous: a private answer is never kept
    assert len(backend.seen) == 4
    assert backend.seen[0]["Authorization"] == f"Bearer {alice}"


async def test_http_caching_of_rest_calls_can_be_switched_off(tmp_path: Path) -> None:
    backend = RatesBackend(cache_control="max-age=60", etag='"v1"')
    async with serve(tmp_path, backend, "cache:\n  rest_http_cache: false\n") as gateway:
        await gateway.rate()
        await gateway.rate()
    assert len(backend.seen) == 2
    assert "If-None-Match" not in backend.seen[1]


async def test_a_hinted_connector_field_is_cached_by_the_resolver_cache(tmp_path: Path) -> None:
    backend = RatesBackend()  # no HTTP caching headers at all
    assert HINTED != CONNECTOR
    async with serve(tmp_path, backend, sdl=HINTED) as gateway:
        first = await gateway.rate()
        second = await gateway.rate()
    assert first == second == {"data": {"rate": {"code": "AUD", "value": 1.5}}}
    assert len(backend.seen) == 1
