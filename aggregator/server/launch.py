"""Run the gateway's ASGI app: one process, or a parent and N worker processes.

Every command that serves (``serve --supergraph``, ``serve --config``) comes
through :func:`serve`, so binding, signals, draining, TLS, logging and the
metrics listener behave the same way whatever the command.

The listening socket (and the metrics listener) are bound in this process
before anything is printed, so a port already in use is one clear line and
exit status 2, not "serving on ..." followed by a traceback. With several
workers and Prometheus metrics, the workers write their values to a fresh
``PROMETHEUS_MULTIPROC_DIR`` and the metrics listener, running in this
(supervisor) process, serves their sum (docs/decisions/0014).

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

import atexit
import functools
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import uvicorn

from aggregator.config.observability import ObservabilityConfig, parse_listen
from aggregator.config.server_tls import ServerTlsConfig
from aggregator.observability.logs import configure_logging
from aggregator.server.graceful import DrainSettings, GracefulServer, ListenError, listen_socket
from aggregator.server.http_protocol import GatewayHttpProtocol

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
    # the gateway's own HTTPS listener (None: plain HTTP)
    tls: ServerTlsConfig | None = None
    observability: ObservabilityConfig = field(default_factory=ObservabilityConfig)
    graphql_path: str = "/graphql"


def _config(factory: str, settings: ServeSettings) -> uvicorn.Config:
    options: dict[str, Any] = {
        "factory": True,
        "log_level": "warning",
        "log_config": None,  # our formatter (text or JSON) for every logger, uvicorn's too
        "access_log": False,
        "lifespan": "on",
        # unparseable requests get a GraphQL error, not uvicorn's text/plain 400
        "http": GatewayHttpProtocol,
        **_tls_options(settings.tls),
        **settings.uvicorn,
    }
    return uvicorn.Config(factory, host=settings.host, port=settings.port, **options)


def _tls_options(tls: ServerTlsConfig | None) -> dict[str, Any]:
    if tls is None:
        return {}
    from aggregator.server.tls import TlsHttpToolsProtocol, uvicorn_ssl_context

    return {
        "ssl_certfile": str(tls.cert_file),
        "ssl_keyfile": str(tls.key_file),
        # runs in each worker: the certificate files are watched and reloaded there
        "ssl_context_factory": functools.partial(uvicorn_ssl_context, tls),
        "http": TlsHttpToolsProtocol,
    }


def _start_metrics_listener(
    settings: ServeSettings, observability: ObservabilityConfig
) -> str | None:
    """Start the separate /metrics listener if configured; returns its URL."""
    metrics = observability.metrics
    if not metrics.prometheus or metrics.on_main_port:
        return None
    if settings.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="aggregator-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # inherited by every worker
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    from prometheus_client import start_http_server

    from aggregator.observability.prometheus import current_registry

    address = parse_listen(metrics.listen)
    assert address is not None  # checked when the config was read
    host, port = address
    try:
        server, _ = start_http_server(port, addr=host, registry=current_registry())
    except OSError as exc:
        raise ListenError(
            f"cannot listen for metrics on {metrics.listen}: {exc.strerror or exc}"
        ) from exc
    bound_port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{bound_port}{metrics.path}"


def serve_and_report(factory: str, settings: ServeSettings) -> int:
    """:func:`serve` for commands: "serving on URL" (and "metrics on URL") on stdout once
    the sockets are bound; a bind failure is one line and status 2."""
    observability = settings.observability.with_env(os.environ)
    configure_logging(observability.log_format)
    scheme = "https" if settings.tls is not None else "http"

    def listening(host: str, port: int) -> None:
        metrics_url = _start_metrics_listener(settings, observability)
        shown = f"[{host}]" if ":" in host else host
        print(
            f"aggregator: serving on {scheme}://{shown}:{port}{settings.graphql_path}", flush=True
        )
        if metrics_url is not None:
            print(f"aggregator: metrics on {metrics_url}", flush=True)

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
    sockets = _listen(settings)
    if on_listening is not None:
        try:
            on_listening(settings.host, int(sockets[0].getsockname()[1]))
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
    config = _config(factory, settings)
    if settings.workers <= 1:
        server = GracefulServer(config, settings.drain)
        try:
            server.run(sockets=sockets)
        finally:
            sockets[0].close()
        return 0 if server.started else 1
    return _Supervisor(config, settings, sockets).run()


def _listen(settings: ServeSettings) -> list[socket.socket]:
    """One listening socket, or one per worker on the same port.

    With one shared socket, each accept wakes every worker and the first one to
    answer drains the backlog: under a burst of long-lived connections (a load
    balancer's pool) one worker can hold nearly all of them while the others idle.
    With ``SO_REUSEPORT`` the kernel spreads new connections over the workers'
    sockets by address hash. A plain probe socket is bound first, so a port some
    other process holds (with or without ``SO_REUSEPORT``) is still "in use".
    """
    if settings.workers <= 1:
        return [listen_socket(settings.host, settings.port)]
    probe = listen_socket(settings.host, settings.port)
    port = int(probe.getsockname()[1])  # port 0: every worker's socket takes the one chosen
    probe.close()
    sockets: list[socket.socket] = []
    try:
        for _ in range(settings.workers):
            sockets.append(listen_socket(settings.host, port, reuse_port=True))
    except ListenError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class _Supervisor:
    """The parent of ``workers`` worker processes, each with its own socket on one port."""

    def __init__(
        self, config: uvicorn.Config, settings: ServeSettings, sockets: list[socket.socket]
    ):
        self.config = config
        self.settings = settings
        self.sockets = sockets
        self.stop = threading.Event()
        self.processes: list[multiprocessing.process.BaseProcess] = []
        self.failed = False

    def _start(self, index: int) -> multiprocessing.process.BaseProcess:
        process = _spawn.Process(
            target=_worker,
            args=(self.config, self.settings.drain, self.sockets[index]),
            daemon=False,
        )
        process.start()
        return process

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.stop.set()

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _SIGNALS}
        try:
            self.processes = [self._start(index) for index in range(self.settings.workers)]
            while not self.stop.wait(0.2):
                self._replace_dead_workers()
            self._drain()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._close_sockets()
        return 1 if self.failed else 0

    def _close_sockets(self) -> None:
        for sock in self.sockets:
            sock.close()  # idempotent

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
            self.processes[index] = self._start(index)

    def _drain(self) -> None:
        # only the workers' copies remain: they close them as they drain, and once the last
        # copy of a socket is closed the kernel stops handing it new connections
        self._close_sockets()
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
