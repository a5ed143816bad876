"""Run the ASGI app under uvicorn: in this process, or as N worker processes that share nothing.

uvicorn's own ``workers=N`` hands every worker one listening socket. Each accept
wakes every worker and the first one drains the whole backlog, and the first
worker to finish starting takes every connection made before the others are up:
under a burst of long-lived connections (a load balancer's pool, a benchmark's
50) one worker can hold nearly all of them while the others idle (measured
here: 6.05 s and 0.09 s of CPU for 2 workers in one 10 s run). Instead the
parent opens one listening socket per worker on the same port with
``SO_REUSEPORT`` before any worker starts, so the kernel spreads connections
across all of them by their address hash from the first one on (a connection
to a worker still starting waits in its socket's backlog). Each worker builds
its own gateway through the app factory; the parent only holds the sockets and
starts, watches and stops the workers.

A worker that fails to start (uvicorn's startup-failure exit) stops the whole
server with its exit status; one that dies later is replaced.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

_OPTIONS: dict[str, Any] = {
    "factory": True,
    "log_level": "warning",
    "access_log": False,
    "lifespan": "on",
}
_STOP_TIMEOUT_S = 30.0


def serve(app: str, *, host: str, port: int, workers: int = 1) -> int:
    """Serve the app factory at ``app`` ("module:function") until interrupted; the exit
    status (0, or a worker's start-up failure)."""
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, **_OPTIONS)
        return 0
    return _Supervisor(app, host, port, workers).run()


_BACKLOG = 2048


def _listening_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(_BACKLOG)
    return sock


def _worker(app: str, host: str, port: int, sock: socket.socket) -> None:
    """One worker process: its own listening socket on the shared port, its own server."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, backlog=_BACKLOG, **_OPTIONS))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class _Supervisor:
    def __init__(self, app: str, host: str, port: int, workers: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.count = workers
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[BaseProcess] = []
        self.sockets: list[socket.socket] = []
        self.stopping = False

    def start_worker(self, index: int) -> BaseProcess:
        process = self.context.Process(
            target=_worker, args=(self.app, self.host, self.port, self.sockets[index])
        )
        process.start()
        return process

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        try:
            first = _listening_socket(self.host, self.port)
            self.port = first.getsockname()[1]  # port 0: every socket takes the one chosen
            self.sockets = [first]
            self.sockets += [_listening_socket(self.host, self.port) for _ in range(self.count - 1)]
        except OSError as exc:
            print(
                f"aggregator: error: cannot listen on {self.host}:{self.port}: {exc}",
                file=sys.stderr,
            )
            self.close_sockets()
            return STARTUP_FAILURE
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.on_signal)
        self.workers = [self.start_worker(index) for index in range(self.count)]
        status = 0
        try:
            while not self.stopping:
                sentinels = [w.sentinel for w in self.workers]
                multiprocessing.connection.wait(sentinels, timeout=0.5)
                for index, worker in enumerate(self.workers):
                    if worker.is_alive() or self.stopping:
                        continue
                    if worker.exitcode == STARTUP_FAILURE:
                        status = STARTUP_FAILURE
                        self.stopping = True
                        break
                    print(
                        f"aggregator: worker {worker.pid} exited ({worker.exitcode}); "
                        "starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    self.workers[index] = self.start_worker(index)
        finally:
            self.stop()
            self.close_sockets()
        return status

    def close_sockets(self) -> None:
        for sock in self.sockets:
            sock.close()

    def stop(self) -> None:
        for worker in self.workers:
            if worker.is_alive() and worker.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    worker.terminate()  # SIGTERM: uvicorn lets open requests finish
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        for worker in self.workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join()
