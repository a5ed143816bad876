"""Hot reload with the real gateway and server: swaps are atomic, nothing in flight fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aggregator.config import GatewayConfig, load_config
from aggregator.gateway import Gateway
from aggregator.registry import (
    DrainingGatewayHolder,
    GatewayReloader,
    SupergraphBuildError,
    SupergraphWatcher,
    start_live_gateway,
)
from aggregator.server.app import create_app
from tests.reload.backends import SDL_WITH_SLOW, SDL_WITHOUT_SLOW, Backend, supergraph
from tests.support.servers import free_port, serve_asgi


class RecordingGateway(Gateway):
    """The real gateway, noting whether any request still held it when it was closed."""

    holder: DrainingGatewayHolder | None = None
    closed = False
    in_flight_at_close = -1

    async def close(self) -> None:
        assert self.holder is not None
        self.in_flight_at_close = self.holder.in_flight(self)
        self.closed = True
        await super().close()


def recording_builder(holder: DrainingGatewayHolder) -> Callable[[GatewayConfig, str], Gateway]:
    built: list[RecordingGateway] = []

    def build(_config: GatewayConfig, sdl: str) -> Gateway:
        gateway = RecordingGateway.from_supergraph_sdl(sdl)
        assert isinstance(gateway, RecordingGateway)
        gateway.holder = holder
        built.append(gateway)
        return gateway

    build.built = built  # type: ignore[attr-defined]
    return build


async def post(session: aiohttp.ClientSession, url: str, query: str) -> tuple[int, Any]:
    async with session.post(f"{url}/graphql", json={"query": query}) as response:
        return response.status, await response.json()


async def wait_for(condition: Callable[[], bool]) -> None:
    """Poll state owned by code under test; pytest's per-test timeout is the only clock."""
    while not condition():  # noqa: ASYNC110 - no event to wait on without changing that code
        await asyncio.sleep(0.005)


def write_config(tmp_path: Path, sdl: str) -> GatewayConfig:
    (tmp_path / "supergraph.graphql").write_text(sdl, encoding="utf-8")
    (tmp_path / "aggregator.yaml").write_text(
        "supergraph_file: supergraph.graphql\n", encoding="utf-8"
    )
    return load_config(tmp_path / "aggregator.yaml")


async def test_requests_never_fail_during_many_swaps(tmp_path: Path) -> None:
    backend = Backend()
    swaps = 40
    async with serve_asgi(backend.app) as subgraph_url:
        versions = [
            supergraph(f"{subgraph_url}/graphql", sdl) for sdl in (SDL_WITH_SLOW, SDL_WITHOUT_SLOW)
        ]
        config = write_config(tmp_path, versions[0])
        holder = DrainingGatewayHolder()
        build = recording_builder(holder)
        live = await start_live_gateway(
            config, holder=holder, build_gateway=build, file_interval_s=0.005
        )
        answers: list[tuple[int, Any]] = []
        stop = asyncio.Event()
        try:
            async with (
                serve_asgi(create_app(holder)) as gateway_url,
                aiohttp.ClientSession() as session,
            ):

                async def client() -> None:
                    while not stop.is_set():
                        answers.append(await post(session, gateway_url, "{ ping }"))

                clients = [asyncio.create_task(client()) for _ in range(6)]
                for n in range(1, swaps + 1):
                    (tmp_path / "supergraph.graphql").write_text(
                        versions[n % 2] + f"\n# reload {n}\n", encoding="utf-8"
                    )
                    await wait_for(lambda n=n: len(build.built) == n + 1)  # type: ignore[attr-defined]
                    # let requests start on the new gateway before the next swap
                    await wait_for(lambda: holder.in_flight(build.built[-1]) > 0)  # type: ignore[attr-defined]
                stop.set()
                await asyncio.gather(*clients)
        finally:
            await live.close()
    built: list[RecordingGateway] = build.built  # type: ignore[attr-defined]
    assert len(answers) > swaps
    assert all(answer == (200, {"data": {"ping": "pong"}}) for answer in answers)
    assert live.reloader.reloads == swaps
    assert len(built) == swaps + 1
    assert all(g.closed for g in built)
    assert [g.in_flight_at_close for g in built[:-1]] == [0] * swaps


async def test_in_flight_request_finishes_on_the_old_schema(tmp_path: Path) -> None:
    backend = Backend()
    async with serve_asgi(backend.app) as subgraph_url:
        url = f"{subgraph_url}/graphql"
        config = write_config(tmp_path, supergraph(url, SDL_WITH_SLOW))
        holder = DrainingGatewayHolder()
        build = recording_builder(holder)
        reloader_box: list[GatewayReloader] = []

        async def on_new(sdl: str) -> bool:
            return await reloader_box[0].on_new_supergraph(sdl)

        async with (
            SupergraphWatcher(config, on_new) as watcher,
            serve_asgi(create_app(holder)) as gateway_url,
            aiohttp.ClientSession() as session,
        ):
            holder.swap(build(config, await watcher.build_initial()))
            reloader_box.append(GatewayReloader(holder, lambda sdl: build(config, sdl)))
            old: RecordingGateway = build.built[0]  # type: ignore[attr-defined]
            slow = asyncio.create_task(post(session, gateway_url, "{ slow }"))
            await backend.slow_started.wait()
            (tmp_path / "supergraph.graphql").write_text(
                supergraph(url, SDL_WITHOUT_SLOW), encoding="utf-8"
            )
            assert await watcher.check_once() is True
            _, body = await post(session, gateway_url, "{ slow }")
            assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            assert await post(session, gateway_url, "{ ping }") == (200, {"data": {"ping": "pong"}})
            assert old.closed is False  # the slow request still runs on it
            backend.release.set()
            assert await slow == (200, {"data": {"slow": "finally"}})
            await reloader_box[0].aclose()
            assert old.closed is True
            assert old.in_flight_at_close == 0
            await holder.peek().close()  # type: ignore[union-attr]


async def test_a_supergraph_that_does_not_load_leaves_the_old_one_serving(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backend = Backend()
    async with serve_asgi(backend.app) as subgraph_url:
        url = f"{subgraph_url}/graphql"
        config = write_config(tmp_path, supergraph(url, SDL_WITHOUT_SLOW))
        live = await start_live_gateway(config, file_interval_s=3600)
        first = live.holder.peek()
        try:
            async with (
                serve_asgi(create_app(live.holder)) as gateway_url,
                aiohttp.ClientSession() as session,
            ):
                (tmp_path / "supergraph.graphql").write_text("type Query {", encoding="utf-8")
                with caplog.at_level(logging.ERROR, logger="aggregator.reload"):
                    assert await live.watcher.check_once() is False
                assert "new supergraph rejected; the previous one keeps serving" in caplog.text
                assert live.holder.peek() is first
                assert await post(session, gateway_url, "{ ping }") == (
                    200,
                    {"data": {"ping": "pong"}},
                )
                (tmp_path / "supergraph.graphql").write_text(
                    supergraph(url, SDL_WITH_SLOW), encoding="utf-8"
                )
                assert await live.watcher.check_once() is True
                backend.release.set()
                assert await post(session, gateway_url, "{ slow }") == (
                    200,
                    {"data": {"slow": "finally"}},
                )
        finally:
            await live.close()


async def test_unreachable_subgraph_fails_start_up_naming_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/graphql"
    config = tmp_path / "aggregator.yaml"
    config.write_text(f"subgraphs:\n  - name: tax\n    url: {url}\n", encoding="utf-8")
    with pytest.raises(SupergraphBuildError, match=rf"subgraph 'tax' \({url}\): unreachable"):
        await start_live_gateway(load_config(config))


async def test_moving_a_subgraph_in_the_config_reroutes_requests(tmp_path: Path) -> None:
    first, second = Backend(), Backend()
    (tmp_path / "products.graphql").write_text(SDL_WITHOUT_SLOW, encoding="utf-8")
    config = tmp_path / "aggregator.yaml"

    def point_at(url: str) -> None:
        config.write_text(
            f"subgraphs:\n  - name: products\n    url: {url}/graphql\n"
            "    sdl_source: file\n    sdl_file: products.graphql\n",
            encoding="utf-8",
        )

    async with serve_asgi(first.app) as first_url, serve_asgi(second.app) as second_url:
        point_at(first_url)
        live = await start_live_gateway(load_config(config), file_interval_s=3600)
        try:
            async with (
                serve_asgi(create_app(live.holder)) as gateway_url,
                aiohttp.ClientSession() as session,
            ):
                assert await post(session, gateway_url, "{ ping }") == (
                    200,
                    {"data": {"ping": "pong"}},
                )
                point_at(second_url)
                assert await live.watcher.check_once() is True
                assert await post(session, gateway_url, "{ ping }") == (
                    200,
                    {"data": {"ping": "pong"}},
                )
        finally:
            await live.close()
    assert (first.requests, second.requests) == (1, 1)
