"""``aggregator serve --config`` as an operator runs it: real process, subgraph, file edits."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from tests.reload.backends import SDL_WITH_SLOW, SDL_WITHOUT_SLOW, Backend
from tests.support.servers import free_port, serve_asgi


@contextlib.asynccontextmanager
async def gateway_process(*args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aggregator",
        "serve",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def post(session: aiohttp.ClientSession, url: str, query: str) -> Any:
    async with session.post(url, json={"query": query}) as response:
        return await response.json()


async def test_serve_config_composes_serves_and_reloads_on_sdl_edit(tmp_path: Path) -> None:
    backend = Backend()
    backend.release.set()
    port = free_port()
    async with serve_asgi(backend.app) as subgraph_url:
        (tmp_path / "products.graphql").write_text(SDL_WITHOUT_SLOW, encoding="utf-8")
        (tmp_path / "aggregator.yaml").write_text(
            f"server:\n  port: {port}\n"
            "subgraphs:\n"
            f"  - name: products\n    url: {subgraph_url}/graphql\n"
            "    sdl_source: file\n    sdl_file: products.graphql\n",
            encoding="utf-8",
        )
        async with (
            gateway_process(
                "--config", str(tmp_path / "aggregator.yaml"), "--expose-query-plans"
            ) as proc,
            aiohttp.ClientSession() as session,
        ):
            assert proc.stdout is not None
            line = await proc.stdout.readline()
            assert (
                line.decode().strip() == f"aggregator: serving on http://127.0.0.1:{port}/graphql"
            )
            url = f"http://127.0.0.1:{port}/graphql"
            while True:  # until uvicorn accepts connections
                try:
                    first = await post(session, url, "{ ping }")
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert first == {"data": {"ping": "pong"}}
            plan = await post(session, f"http://127.0.0.1:{port}/plan", "{ ping }")
            assert 'Fetch(service: "products")' in plan["plan"]  # the flag beat the file
            before = await post(session, url, "{ slow }")
            assert before["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            (tmp_path / "products.graphql").write_text(SDL_WITH_SLOW, encoding="utf-8")
            # the watcher in the gateway process checks files every second
            while (answer := await post(session, url, "{ slow }")).get("errors"):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            assert answer == {"data": {"slow": "finally"}}
            assert await post(session, url, "{ ping }") == {"data": {"ping": "pong"}}
            proc.terminate()
            _, err = await proc.communicate()
    assert "INFO aggregator.reload: supergraph reloaded (reload #1)" in err.decode()


async def test_serve_config_with_unreachable_subgraph_exits_naming_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/graphql"
    (tmp_path / "aggregator.yaml").write_text(
        f"subgraphs:\n  - name: tax\n    url: {url}\n", encoding="utf-8"
    )
    async with gateway_process("--config", str(tmp_path / "aggregator.yaml")) as proc:
        _, err = await proc.communicate()
    assert proc.returncode == 2
    assert err.decode().startswith(
        "aggregator: error: cannot fetch the SDL of required subgraphs\n"
        f"  - subgraph 'tax' ({url}): unreachable: "
    )


async def test_serve_config_rejects_subgraph_url_overrides(tmp_path: Path) -> None:
    (tmp_path / "aggregator.yaml").write_text(
        "subgraphs:\n  - name: tax\n    url: http://tax.invalid/graphql\n", encoding="utf-8"
    )
    async with gateway_process(
        "--config", str(tmp_path / "aggregator.yaml"), "--subgraph-url", "tax=http://x/graphql"
    ) as proc:
        _, err = await proc.communicate()
    assert (proc.returncode, err.decode()) == (
        2,
        "aggregator: error: with --config, subgraph URLs come from the config file\n",
    )
