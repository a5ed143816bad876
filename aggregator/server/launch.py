"""Run the gateway's ASGI app: one process, or a parent and N worker processes.

Every command that serves (``serve --supergraph``, ``serve --config``) comes
through :func:`serve`, so binding, signals and draining behave the same way
whatever the command.

With ``workers > 1`` the parent binds one socket, starts the workers (each a
:class:`GracefulServer` on the shared socket), restarts a worker that dies
and, on SIGTERM or SIGINT, first closes its own copy of the listening socket,
then asks every worker to drain and waits for them. uvicorn's own supervisor
keeps the parent's copy of the socket open until every worker has exited, so
the kernel goes on completing new connections that nobody will ever accept:
a load balancer sees them hang and then reset, after it has sent the request,
and cannot retry them. Here, once the last worker has closed its copy, a new
connection is refused at once and retried elsewhere.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import uvicorn

from aggregator.server.graceful import DrainSettings, GracefulServer, ListenError, listen_socket

__all__ = ["ListenError", "ServeSettings", "serve", "serve_and_report"]

log = logging.getLogger("aggregator.server")

# what uvicorn's workers exit with when the app cannot start; restarting cannot help
_STARTUP_FAILURE = 3
_spawn = multiprocessing.get_context("spawn")


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """Where and how to serve; ``uvicorn`` holds extra ``uvicorn.Config`` options."""

    host: str = "127.0.0.1"
    port: int = 4000
    workers: int = 1
    drain: DrainSettings = field(default_factory=DrainSettings)
    uvicorn: Mapping[str, Any] = field(default_factory=dict)


def _config(factory: str, settings: ServeSettings) -> uvicorn.Config:
    options: dict[str, Any] = {
        "factory": True,
        "log_level": "warning",
        "access_log": False,
        "lifespan": "on",
        **settings.uvicorn,
    }
    return uvicorn.Config(factory, host=settings.host, port=settings.port, **options)


def serve_and_report(factory: str, settings: ServeSettings) -> int:
    """:func:`serve` for commands: "serving on URL" on stdout, a bind failure one line, status 2."""

    def listening(host: str, port: int) -> None:
        print(f"aggregator: serving on http://{host}:{port}/graphql", flush=True)

    try:
        return serve(factory, settings, on_listening=listening)
    except ListenError as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2


def _worker(config: uvicorn.Config, drain: DrainSettings, sock: socket.socket) -> None:
    """Entry point of one worker process."""
    config.configure_logging()
    server = GracefulServer(config, drain)
    server.run(sockets=[sock])
    if not server.started:
        raise SystemExit(_STARTUP_FAILURE)


def serve(
    factory: str,
    settings: ServeSettings,
    *,
    on_listening: Callable[[str, int], None] | None = None,
) -> int:
    """Serve the app that ``factory`` ("module:function") builds until a signal; exit status.

    The socket is bound before ``on_listening(host, port)`` is called, so
    "serving on" is only said once it is true (with the real port when 0 was
    asked for); raises :class:`ListenError` when it cannot bind.
    """
    sock = listen_socket(settings.host, settings.port)
    if on_listening is not None:
        on_listening(settings.host, int(sock.getsockname()[1]))
    config = _config(factory, settings)
    if settings.workers <= 1:
        server = GracefulServer(config, settings.drain)
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
        return 0 if server.started else 1
    return _Supervisor(config, settings, sock).run()


class _Supervisor:
    """The parent of ``workers`` worker processes sharing one listening socket."""

    def __init__(self, config: uvicorn.Config, settings: ServeSettings, sock: socket.socket):
        self.config = config
        self.settings = settings
        self.sock: socket.socket | None = sock
        self.stop = threading.Event()
        self.processes: list[multiprocessing.process.BaseProcess] = []
        self.failed = False

    def _start(self) -> multiprocessing.process.BaseProcess:
        process = _spawn.Process(
            target=_worker, args=(self.config, self.settings.drain, self.sock), daemon=False
        )
        process.start()
        return process

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.stop.set()

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _SIGNALS}
        try:
            self.processes = [self._start() for _ in range(self.settings.workers)]
            while not self.stop.wait(0.2):
                self._replace_dead_workers()
            self._drain()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self.sock is not None:
                self.sock.close()
        return 1 if self.failed else 0

    def _replace_dead_workers(self) -> None:
        for index, process in enumerate(self.processes):
            if process.is_alive():
                continue
            if process.exitcode == _STARTUP_FAILURE:
                log.error("worker %s could not start; stopping", process.pid)
                self.failed = True
                self.stop.set()
                return
            log.error(
                "worker %s exited with status %s; starting another", process.pid, process.exitcode
            )
            time.sleep(0.5)  # a worker crashing in a loop must not spin the parent
            self.processes[index] = self._start()

    def _drain(self) -> None:
        if self.sock is not None:
            self.sock.close()  # only the workers' copies remain: they close them as they drain
            self.sock = None
        for process in self.processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.join()
            # -SIGTERM: a worker still starting when the signal came; the default action
            # ended it before it installed its handlers, so before it accepted anything
            if process.exitcode not in (0, -signal.SIGTERM, None):
                self.failed = True


_SIGNALS = (signal.SIGINT, signal.SIGTERM)
