"""Hot reload: swaps are atomic, in-flight requests finish on their schema, none fail."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from aggregator.config import ConfigError, load_config
from aggregator.registry import (
    GatewayHolder,
    GatewayReloader,
    SupergraphBuildError,
    SupergraphWatcher,
    start_live_gateway,
)
from tests.config.subgraphs import Switch, fixed_response, products_app, products_v2_app
from tests.reload.gateways import SchemaGateway, gateway_app, versioned_supergraph
from tests.support.servers import free_port, serve_asgi

FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


def supergraph_config(tmp_path: Path, version: int = 0) -> Path:
    (tmp_path / "supergraph.graphql").write_text(versioned_supergraph(version), encoding="utf-8")
    config = tmp_path / "aggregator.yaml"
    config.write_text("supergraph_file: supergraph.graphql\n", encoding="utf-8")
    return config


async def post(session: aiohttp.ClientSession, url: str, query: str) -> tuple[int, object]:
    async with session.post(url, json={"query": query}) as response:
        return response.status, await response.json()


async def wait_for(condition: Callable[[], bool]) -> None:
    """Poll state owned by code under test; pytest's per-test timeout is the only clock."""
    while not condition():  # noqa: ASYNC110 - no event to wait on without changing that code
        await asyncio.sleep(0.005)


async def test_requests_never_fail_during_many_swaps(tmp_path: Path) -> None:
    config = load_config(supergraph_config(tmp_path))
    live = await start_live_gateway(config, SchemaGateway, file_interval_s=0.005)
    gateways: list[SchemaGateway] = [live.holder.current]
    results: list[tuple[int, list[tuple[int, object]]]] = []
    stop = asyncio.Event()
    swaps = 40
    try:
        async with serve_asgi(gateway_app(live.holder)) as base, aiohttp.ClientSession() as s:

            async def client(n: int) -> None:
                seen: list[tuple[int, object]] = []
                while not stop.is_set():
                    seen.append(await post(s, base, "{ ping }"))
                results.append((n, seen))

            clients = [asyncio.create_task(client(n)) for n in range(6)]
            for version in range(1, swaps + 1):
                (tmp_path / "supergraph.graphql").write_text(
                    versioned_supergraph(version), encoding="utf-8")
                await wait_for(lambda v=version: live.holder.current.version == v)
                gateways.append(live.holder.current)
                # let requests start on this version before the next swap
                await wait_for(lambda: live.holder.in_flight(live.holder.current) > 0)
            stop.set()
            await asyncio.gather(*clients)
    finally:
        await live.close()
    answers = [answer for _, seen in results for answer in seen]
    assert all(status == 200 for status, _ in answers)
    assert all("errors" not in body for _, body in answers)  # type: ignore[operator]
    served = {body["data"]["ping"] for _, body in answers}  # type: ignore[index]
    assert len(served) > swaps // 2  # requests really ran across many schemas
    for _, seen in results:  # each client only ever moves forward
        versions = [int(body["data"]["ping"][1:]) for _, body in seen]  # type: ignore[index]
        assert versions == sorted(versions)
    assert live.reloader.reloads == swaps
    assert [g.version for g in gateways] == list(range(swaps + 1))
    assert all(g.closed for g in gateways)
    assert not any(g.closed_while_running for g in gateways)


async def test_in_flight_request_finishes_on_the_old_schema(tmp_path: Path) -> None:
    config = load_config(supergraph_config(tmp_path))
    holder: GatewayHolder[SchemaGateway] | None = None
    reloader: GatewayReloader[SchemaGateway] | None = None

    async def on_new(sdl: str) -> None:
        assert reloader is not None
        await reloader.on_new_supergraph(sdl)

    async with SupergraphWatcher(config, on_new) as watcher:
        old = SchemaGateway(await watcher.build_initial())
        holder = GatewayHolder(old)
        reloader = GatewayReloader(holder, SchemaGateway)
        old.release.clear()
        async with serve_asgi(gateway_app(holder)) as base, aiohttp.ClientSession() as s:
            slow = asyncio.create_task(post(s, base, "{ slow }"))
            await wait_for(lambda: holder.in_flight(old) == 1)
            (tmp_path / "supergraph.graphql").write_text(versioned_supergraph(1), encoding="utf-8")
            assert await watcher.check_once() is True
            assert holder.current.version == 1
            assert await post(s, base, "{ ping }") == (200, {"data": {"ping": "v1"}})
            assert old.closed is False  # still serving the slow request
            old.release.set()
            assert await slow == (200, {"data": {"slow": "v0"}})
            await reloader.aclose()
        assert old.closed is True
        assert old.closed_while_running is False


async def test_a_supergraph_that_does_not_build_leaves_the_old_one_serving(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = load_config(supergraph_config(tmp_path))
    live = await start_live_gateway(config, SchemaGateway, file_interval_s=3600)
    first = live.holder.current
    try:
        (tmp_path / "supergraph.graphql").write_text("type Query {", encoding="utf-8")
        with caplog.at_level(logging.ERROR, logger="aggregator.reload"):
            assert await live.watcher.check_once() is False  # handed on, rejected
        assert live.holder.current is first
        assert live.watcher.sdl == versioned_supergraph(0)
        assert live.reloader.failures == 1
        assert "new supergraph rejected; the previous one keeps serving" in caplog.text
        (tmp_path / "supergraph.graphql").write_text(versioned_supergraph(7), encoding="utf-8")
        assert await live.watcher.check_once() is True
        assert live.holder.current.version == 7
    finally:
        await live.close()


def file_subgraphs_config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        "subgraphs:\n"
        "  - name: a\n    url: http://a.internal/graphql\n    sdl_source: file\n"
        "    sdl_file: a.graphql\n"
        "  - name: b\n    url: http://b.internal/graphql\n    sdl_source: file\n"
        f"    sdl_file: b.graphql\n{extra}", encoding="utf-8")
    return config


async def test_sdl_file_edits_recompose_and_bad_sets_are_logged_not_served(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "a.graphql").write_text(FED + "type Query { a: Int }\n", encoding="utf-8")
    (tmp_path / "b.graphql").write_text(FED + "type Query { b: Int }\n", encoding="utf-8")
    seen: list[str] = []

    async def on_new(sdl: str) -> None:
        seen.append(sdl)

    async with SupergraphWatcher(load_config(file_subgraphs_config(tmp_path)), on_new) as watcher:
        first = await watcher.build_initial()
        assert "b: Int @join__field(graph: B)" in first
        # b now claims Query.a with a different type: does not compose
        (tmp_path / "b.graphql").write_text(FED + "type Query { b: Int a: String }\n",
                                            encoding="utf-8")
        with caplog.at_level(logging.ERROR, logger="aggregator.reload"):
            assert await watcher.check_once() is False
        assert seen == []
        assert watcher.sdl == first
        assert "supergraph not reloaded; the previous one keeps serving" in caplog.text
        assert "Query.a" in caplog.text
        assert await watcher.check_once() is False  # the same broken set is reported once
        assert watcher.errors == 1
        (tmp_path / "b.graphql").write_text(FED + "type Query { b: Int c: String }\n",
                                            encoding="utf-8")
        assert await watcher.check_once() is True
        assert "c: String @join__field(graph: B)" in seen[-1]


async def test_config_edits_are_validated_then_applied(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text(FED + "type Query { a: Int }\n", encoding="utf-8")
    (tmp_path / "b.graphql").write_text(FED + "type Query { b: Int }\n", encoding="utf-8")
    (tmp_path / "c.graphql").write_text(FED + "type Query { c: Int }\n", encoding="utf-8")
    errors: list[Exception] = []
    seen: list[str] = []

    async def on_new(sdl: str) -> None:
        seen.append(sdl)

    path = file_subgraphs_config(tmp_path)
    async with SupergraphWatcher(load_config(path), on_new, on_error=errors.append) as watcher:
        await watcher.build_initial()
        file_subgraphs_config(tmp_path, "    timout_s: 3\n")
        assert await watcher.check_once() is False
        assert isinstance(errors[0], ConfigError)
        assert str(errors[0]) == (
            "aggregator.yaml:10: subgraphs[1].timout_s: unknown key (did you mean 'timeout_s'?)")
        file_subgraphs_config(tmp_path, "  - name: c\n    url: http://c.internal/graphql\n"
                                        "    sdl_source: file\n    sdl_file: c.graphql\n")
        assert await watcher.check_once() is True
        assert 'C @join__graph(name: "c", url: "http://c.internal/graphql")' in seen[-1]
        assert [s.name for s in watcher.config.subgraphs] == ["a", "b", "c"]
        # c.graphql is watched now that the config names it
        (tmp_path / "c.graphql").write_text(FED + "type Query { c: Int d: Int }\n",
                                            encoding="utf-8")
        assert await watcher.check_once() is True
        assert "d: Int @join__field(graph: C)" in seen[-1]


async def test_polling_notices_a_subgraph_serving_a_new_sdl(tmp_path: Path) -> None:
    switch = Switch(products_app())
    seen: list[str] = []

    async def on_new(sdl: str) -> None:
        seen.append(sdl)

    async with serve_asgi(switch) as base:
        config = tmp_path / "aggregator.yaml"
        config.write_text(f"poll_interval_s: 0.001\nsubgraphs:\n  - name: products\n"
                          f"    url: {base}/graphql\n", encoding="utf-8")
        async with SupergraphWatcher(load_config(config), on_new) as watcher:
            first = await watcher.build_initial()
            assert "price" not in first
            await asyncio.sleep(0.002)
            assert await watcher.check_once() is False  # polled, same SDL: nothing to do
            polls = switch.requests
            switch.app = products_v2_app()
            await asyncio.sleep(0.002)
            assert await watcher.check_once() is True
            assert switch.requests == polls + 1
    assert "  price: Int\n" in seen[0]


async def test_unreachable_subgraph_fails_start_up_naming_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/graphql"
    config = tmp_path / "aggregator.yaml"
    config.write_text(f"subgraphs:\n  - name: tax\n    url: {url}\n", encoding="utf-8")
    with pytest.raises(SupergraphBuildError, match=rf"subgraph 'tax' \({url}\): unreachable"):
        await start_live_gateway(load_config(config), SchemaGateway)


async def test_optional_subgraph_that_was_down_joins_at_the_next_poll(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text(FED + "type Query { a: Int }\n", encoding="utf-8")
    down = Switch(fixed_response(503, b"starting up", "text/plain"))
    seen: list[str] = []

    async def on_new(sdl: str) -> None:
        seen.append(sdl)

    async with serve_asgi(down) as base:
        config = tmp_path / "aggregator.yaml"
        config.write_text(
            "poll_interval_s: 0.001\nsubgraphs:\n"
            "  - name: a\n    url: http://a.internal/graphql\n    sdl_source: file\n"
            "    sdl_file: a.graphql\n"
            f"  - name: products\n    url: {base}/graphql\n    optional: true\n",
            encoding="utf-8")
        async with SupergraphWatcher(load_config(config), on_new) as watcher:
            first = await watcher.build_initial()
            assert "PRODUCTS" not in first
            down.app = products_app()
            await asyncio.sleep(0.002)
            assert await watcher.check_once() is True
    assert 'PRODUCTS @join__graph(name: "products"' in seen[0]
