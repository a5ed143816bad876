"""Real ``aggregator`` processes and a real HAProxy for tests, always stopped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import IO

import aiohttp

Process = asyncio.subprocess.Process


@contextlib.asynccontextmanager
async def aggregator_process(
    *args: str, env: dict[str, str] | None = None
) -> AsyncIterator[Process]:
    """``python -m aggregator ARGS`` as a child process, killed if a test leaves it running.

    stderr goes to a file, not a pipe: a busy gateway writes an access-log line per
    request, and a pipe nobody reads fills up and stops the process mid-request.
    """
    with tempfile.TemporaryFile() as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "aggregator",
            *args,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
        _stderr[process.pid] = stderr
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()
            _stderr.pop(process.pid, None)


_stderr: dict[int, IO[bytes]] = {}


async def exit_status(process: Process) -> int:
    """Wait (20 s at most) for the process; print its stderr when it failed, for the report."""
    status = await asyncio.wait_for(process.wait(), 20)
    stderr = _stderr.get(process.pid)
    if status != 0 and stderr is not None:
        stderr.seek(0)
        print(stderr.read().decode(errors="replace"), file=sys.stderr)
    return status


def fresh_connections() -> aiohttp.ClientSession:
    """Every request on a new TCP connection, as a load balancer's health check opens one."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))


async def ready_status(base: str) -> int | None:
    """``/ready``'s status, or None when the connection is refused."""
    async with fresh_connections() as session:
        try:
            async with session.get(f"{base}/ready") as response:
                return response.status
        except aiohttp.ClientConnectorError:
            return None


async def wait_for_ready_status(base: str, wanted: int | None, process: Process) -> None:
    """Poll ``/ready`` until it answers ``wanted`` (None: refused); fail if the process dies."""
    for _ in range(600):
        if await ready_status(base) == wanted:
            return
        if process.returncode is not None and wanted is not None:
            raise AssertionError(f"the process exited with {await exit_status(process)}")
        await asyncio.sleep(0.05)
    raise AssertionError(f"{base}/ready never answered {wanted}")


HAPROXY_CONFIG = """\
global
  maxconn 2000

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # a refused connection (a replica that has closed its port) goes to another replica
  retries 3
  option redispatch
  retry-on conn-failure

frontend graphql
  bind 127.0.0.1:{port}
  default_backend gateways

backend gateways
  balance roundrobin
  # a draining replica answers /ready with 503 and leaves the rotation before it closes;
  # two answers in a row decide, and a slow answer (a busy machine) is not a failed one
  option httpchk GET /ready
  http-check expect status 200
  timeout check 3s
  default-server inter 250ms fall 2 rise 1
  http-response set-header x-replica %[srv_name]
{servers}
"""


@contextlib.asynccontextmanager
async def haproxy(
    port: int, backends: Sequence[tuple[str, int]], workdir: Path
) -> AsyncIterator[str]:
    """HAProxy in front of ``(name, port)`` replicas on loopback; yields its base URL."""
    binary = shutil.which("haproxy")
    if binary is None:
        raise RuntimeError("haproxy is not installed (scripts/setup installs it)")
    servers = "\n".join(f"  server {name} 127.0.0.1:{p} check" for name, p in backends)
    config = workdir / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers), encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        binary,
        "-db",
        "-f",
        str(config),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
