"""What triggers a rebuild: config edits, SDL file edits, polled SDL changes; and what does not."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from aggregator.config import ConfigError, load_config
from aggregator.registry import SupergraphWatcher
from tests.config.subgraphs import Switch, fixed_response, products_app, products_v2_app
from tests.support.servers import serve_asgi

FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


def file_subgraphs_config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        "subgraphs:\n"
        "  - name: a\n    url: http://a.internal/graphql\n    sdl_source: file\n"
        "    sdl_file: a.graphql\n"
        "  - name: b\n    url: http://b.internal/graphql\n    sdl_source: file\n"
        f"    sdl_file: b.graphql\n{extra}",
        encoding="utf-8",
    )
    return config


async def test_sdl_file_edits_recompose_and_bad_sets_are_logged_not_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.graphql").write_text(FED + "type Query { a: Int }\n", encoding="utf-8")
    (tmp_path / "b.graphql").write_text(FED + "type Query { b: Int }\n", encoding="utf-8")
    seen: list[str] = []

    async def on_new(sdl: str) -> None:
        seen.append(sdl)

    async with SupergraphWatcher(load_config(file_subgraphs_config(tmp_path)), on_new) as watcher:
        first = await watcher.build_initial()
        assert "b: Int @join__field(graph: B)" in first
        # b now claims Query.a with a different type: does not compose
        (tmp_path / "b.graphql").write_text(
            FED + "type Query { b: Int a: String }\n", encoding="utf-8"
        )
        with caplog.at_level(logging.ERROR, logger="aggregator.reload"):
            assert await watcher.check_once() is False
        assert seen == []
        assert watcher.sdl == first
        assert "supergraph not reloaded; the previous one keeps serving" in caplog.text
        assert "Query.a" in caplog.text
        assert await watcher.check_once() is False  # the same broken set is reported once
        assert watcher.errors == 1
        (tmp_path / "b.graphql").write_text(
            FED + "type Query { b: Int c: String }\n", encoding="utf-8"
        )
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
            "aggregator.yaml:10: subgraphs[1].timout_s: unknown key (did you mean 'timeout_s'?)"
        )
        file_subgraphs_config(
            tmp_path,
            "  - name: c\n    url: http://c.internal/graphql\n"
            "    sdl_source: file\n    sdl_file: c.graphql\n",
        )
        assert await watcher.check_once() is True
        assert 'C @join__graph(name: "c", url: "http://c.internal/graphql")' in seen[-1]
        assert [s.name for s in watcher.config.subgraphs] == ["a", "b", "c"]
        # c.graphql is watched now that the config names it
        (tmp_path / "c.graphql").write_text(
            FED + "type Query { c: Int d: Int }\n", encoding="utf-8"
        )
        assert await watcher.check_once() is True
        assert "d: Int @join__field(graph: C)" in seen[-1]


async def test_polling_notices_a_subgraph_serving_a_new_sdl(tmp_path: Path) -> None:
    switch = Switch(products_app())
    seen: list[str] = []

    async def on_new(sdl: str) -> None:
        seen.append(sdl)

    async with serve_asgi(switch) as base:
        config = tmp_path / "aggregator.yaml"
        config.write_text(
            f"poll_interval_s: 0.001\nsubgraphs:\n  - name: products\n    url: {base}/graphql\n",
            encoding="utf-8",
        )
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
            encoding="utf-8",
        )
        async with SupergraphWatcher(load_config(config), on_new) as watcher:
            first = await watcher.build_initial()
            assert "PRODUCTS" not in first
            down.app = products_app()
            await asyncio.sleep(0.002)
            assert await watcher.check_once() is True
    assert 'PRODUCTS @join__graph(name: "products"' in seen[0]
