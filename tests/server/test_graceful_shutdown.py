"""SIGTERM drains a real gateway process: the request in flight finishes, then the process exits 0.

Each test holds a request in a real subgraph (``slow`` waits until the test
releases it), sends SIGTERM to a real ``aggregator`` process, and watches
from outside what a load balancer would see: ``/ready`` turns 503 while the
port still accepts, then new connections are refused, then the held
request is released and answers 200, and the process exits with status 0.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.reload.backends import SDL_WITH_SLOW, Backend, supergraph
from tests.support.processes import (
    Process,
    exit_status,
    fresh_connections,
    wait_for_ready_status,
)
from tests.support.processes import aggregator_process as aggregator
from tests.support.servers import free_port, serve_asgi

SLOW_QUERY = "{ slow }"


async def _post(base: str, query: str) -> tuple[int, Any]:
    async with (
        fresh_connections() as session,
        session.post(f"{base}/graphql", json={"query": query}) as response,
    ):
        return response.status, await response.json()


async def drain_with_request_in_flight(backend: Backend, base: str, process: Process) -> None:
    """The whole sequence a rolling update puts a replica through."""
    await wait_for_ready_status(base, 200, process)
    held = asyncio.create_task(_post(base, SLOW_QUERY))
    await asyncio.wait_for(backend.slow_started.wait(), 20)

    process.send_signal(signal.SIGTERM)
    await wait_for_ready_status(base, 503, process)  # still accepting, but no longer ready
    await wait_for_ready_status(base, None, process)  # then the listener is closed: refused
    assert not held.done(), "the held request must still be in flight"
    assert process.returncode is None, "the process must wait for the request in flight"

    backend.release.set()
    status, body = await asyncio.wait_for(held, 20)
    assert (status, body) == (200, {"data": {"slow": "finally"}})
    assert await exit_status(process) == 0


def serve_supergraph_args(tmp_path: Path, subgraph: str, port: int) -> Sequence[str]:
    path = tmp_path / "supergraph.graphql"
    path.write_text(supergraph(f"{subgraph}/graphql", SDL_WITH_SLOW), encoding="utf-8")
    return [
        "serve",
        "--supergraph",
        str(path),
        "--port",
        str(port),
        "--shutdown-delay",
        "1",
        "--shutdown-timeout",
        "30",
    ]


def serve_config_args(tmp_path: Path, subgraph: str, port: int) -> Sequence[str]:
    path = tmp_path / "aggregator.yaml"
    path.write_text(
        f"server:\n  port: {port}\n  shutdown_delay_s: 1\n  shutdown_timeout_s: 30\n"
        f"subgraphs:\n  - name: products\n    url: {subgraph}/graphql\n",
        encoding="utf-8",
    )
    return ["serve", "--config", str(path)]


@pytest.mark.parametrize(
    ("mode", "workers"),
    [("supergraph", 1), ("supergraph", 2), ("config", 1), ("config", 2)],
)
async def test_sigterm_drains_the_request_in_flight_and_exits_0(
    tmp_path: Path, mode: str, workers: int
) -> None:
    backend = Backend()
    port = free_port()
    make_args = serve_supergraph_args if mode == "supergraph" else serve_config_args
    async with serve_asgi(backend.app) as subgraph:
        args = [*make_args(tmp_path, subgraph, port), "--workers", str(workers)]
        async with aggregator(*args) as process:
            await drain_with_request_in_flight(backend, f"http://127.0.0.1:{port}", process)


async def test_the_drain_timeout_bounds_how_long_a_stuck_request_keeps_the_process(
    tmp_path: Path,
) -> None:
    backend = Backend()  # never released: the request would wait forever
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with serve_asgi(backend.app) as subgraph:
        path = tmp_path / "supergraph.graphql"
        path.write_text(supergraph(f"{subgraph}/graphql", SDL_WITH_SLOW), encoding="utf-8")
        args = ["serve", "--supergraph", str(path), "--port", str(port), "--shutdown-timeout", "1"]
        async with aggregator(*args) as process:
            await wait_for_ready_status(base, 200, process)
            held = asyncio.create_task(_post(base, SLOW_QUERY))
            await asyncio.wait_for(backend.slow_started.wait(), 20)
            process.send_signal(signal.SIGTERM)
            # 1 s of drain, then the stuck request is cancelled and the process leaves
            assert await exit_status(process) == 0
            with pytest.raises(aiohttp.ClientError):
                await asyncio.wait_for(held, 20)
        backend.release.set()


async def test_demo_drains_on_sigterm_and_exits_0() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with aggregator("demo", "--port", str(port), "--shutdown-delay", "1") as process:
        await wait_for_ready_status(base, 200, process)
        status, body = await _post(base, '{ citizen(id: "C0001") { fullName vehicles { plate } } }')
        assert status == 200
        assert body["data"]["citizen"]["vehicles"]
        process.send_signal(signal.SIGTERM)
        await wait_for_ready_status(base, 503, process)
        await wait_for_ready_status(base, None, process)
        assert await exit_status(process) == 0


@pytest.mark.parametrize("command", ["serve", "demo"])
async def test_a_port_in_use_is_one_line_and_status_2(tmp_path: Path, command: str) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(supergraph("http://127.0.0.1:9/graphql", SDL_WITH_SLOW), encoding="utf-8")
    async with serve_asgi(Backend().app) as taken:
        port = taken.rsplit(":", 1)[1]
        args = ["--port", port]
        if command == "serve":
            args += ["--supergraph", str(path)]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "aggregator",
            command,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert stdout == b""
    assert stderr.decode().strip().splitlines() == [
        f"aggregator: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
