"""``aggregator serve --workers N``: N processes, connections spread across all of them.

The real command runs as a child process on a free port. Each worker listens on
its own ``SO_REUSEPORT`` socket opened by the parent before any worker starts,
so keep-alive connections made as soon as the server answers still land on every
worker; a worker that dies is replaced; SIGTERM stops them all.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from tests.gateway.conftest import SUPERGRAPH
from tests.support.servers import free_port

QUERY = orjson.dumps({"query": "{ __typename }"})
WORKERS = 2


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _workers(parent: int) -> list[int]:
    """The worker processes (they hold a listening socket; multiprocessing's helper does not)."""
    return [pid for pid in _children(parent) if _sockets(pid, listening=True)]


def _inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:  # the process ended since it was listed (the killed worker)
        return inodes
    for fd in fds:
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _sockets(pid: int, *, listening: bool, port: int | None = None) -> int:
    """TCP sockets of ``pid``: listening ones, or established ones on local ``port``."""
    mine = _inodes(pid)
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if inode not in mine:
            continue
        established = state == "01" and int(local.split(":")[1], 16) == port
        if (state == "0A") if listening else established:
            count += 1
    return count


def _post(connection: http.client.HTTPConnection) -> dict[str, object]:
    connection.request("POST", "/graphql", QUERY, {"content-type": "application/json"})
    response = connection.getresponse()
    body: dict[str, object] = orjson.loads(response.read())
    assert response.status == 200
    return body


def _wait_until(check: Callable[[], bool], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out; server log:\n{log.read_text()[-2000:]}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(SUPERGRAPH)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "aggregator", "serve", "--supergraph", str(supergraph),
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
            ],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_until(lambda: len(_workers(process.pid)) == WORKERS, log)
        yield process, port, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


def test_connections_made_at_once_reach_every_worker(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, _ = server
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in range(40)]
    try:
        # a burst: all 40 are connected (queued by the kernel) before any request is sent
        for connection in connections:
            connection.connect()
        for connection in connections:
            assert _post(connection) == {"data": {"__typename": "Query"}}
        held = [_sockets(pid, listening=False, port=port) for pid in _workers(process.pid)]
    finally:
        for connection in connections:
            connection.close()
    assert len(held) == WORKERS
    assert sum(held) == 40
    assert min(held) >= 5  # spread by the kernel's hash (below 5 of 40: ~1e-7)


def test_a_dead_worker_is_replaced_and_sigterm_stops_all(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, log = server
    first = _workers(process.pid)
    os.kill(first[0], signal.SIGKILL)
    _wait_until(
        lambda: len(_workers(process.pid)) == WORKERS and first[0] not in _workers(process.pid),
        log,
    )
    for _ in range(10):  # connections to either socket are answered
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            assert _post(connection) == {"data": {"__typename": "Query"}}
        finally:
            connection.close()
    workers = _workers(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    for pid in workers:
        assert (
            not Path(f"/proc/{pid}").exists()
            or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        )
