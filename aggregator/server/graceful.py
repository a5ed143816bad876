"""Graceful shutdown: how a gateway process leaves without dropping a request.

On SIGTERM (Kubernetes, ``docker stop``, systemd) or SIGINT the server:

1. turns ``/ready`` to 503, so load balancers and Kubernetes stop sending
   new work, while it still accepts connections for ``delay_s`` (requests
   that were already routed here are served, not refused);
2. closes its listening socket: new connections are refused, which a
   load balancer retries on another replica without having sent anything;
3. lets requests in flight finish, for at most ``timeout_s``; keep-alive
   connections are closed as soon as they are idle;
4. runs the application's shutdown (closes subgraph pools, Redis) and exits
   with status 0.

uvicorn does steps 2-4 (``timeout_graceful_shutdown``). What it does not do
is step 1, and it re-raises the signal once it is done, so the process dies
*by* SIGTERM (exit status -15 / 143) even after a clean drain; an orchestrator
then reports every rollout as a crash. ``GracefulServer`` adds the readiness
flip and the delay and exits normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import socket
from collections.abc import Generator
from dataclasses import dataclass
from types import FrameType
from typing import Any, Protocol, runtime_checkable

import uvicorn

__all__ = ["DrainSettings", "Drainable", "GracefulServer", "ListenError", "listen_socket"]

log = logging.getLogger("aggregator.server")


@dataclass(frozen=True, slots=True)
class DrainSettings:
    """How long a stopping server keeps serving.

    ``delay_s``: after the signal, keep accepting connections (``/ready`` is
    503) for this long, so load balancers notice before the port closes.
    ``timeout_s``: then wait this long at most for requests in flight.
    """

    timeout_s: float = 30.0
    delay_s: float = 0.0


@runtime_checkable
class Drainable(Protocol):
    """An ASGI app that wants to know when its server starts draining."""

    def begin_drain(self) -> None: ...


def _drainable(app: Any) -> Drainable | None:
    """The app under uvicorn's wrappers (proxy headers, message logger, ASGI2)."""
    for _ in range(16):  # uvicorn's wrappers and the server stack's middleware
        if isinstance(app, Drainable):
            return app
        app = getattr(app, "app", None)
        if app is None:
            return None
    return None


class GracefulServer(uvicorn.Server):
    """uvicorn's server with a readiness flip, a drain delay and a clean exit.

    ``handle_signals=False`` is for servers embedded in a process that owns
    the signals itself (the demo runs several servers in one loop): the owner
    sets ``should_exit`` and the same drain follows.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        drain: DrainSettings = DrainSettings(),
        *,
        handle_signals: bool = True,
    ) -> None:
        config.timeout_graceful_shutdown = max(math.ceil(drain.timeout_s), 0)
        super().__init__(config)
        self.drain = drain
        self.handle_signals = handle_signals

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Install the handlers for the run, restore the previous ones after; never re-raise."""
        if not self.handle_signals:
            yield
            return
        try:
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in _SIGNALS}
        except ValueError:  # not the main thread: the embedding code owns signals
            yield
            return
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl+C: stop waiting
        else:
            self.should_exit = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = _drainable(self.config.loaded_app)
        if app is not None:
            app.begin_drain()
        log.info(
            "draining: /ready answers 503; closing the listener in %ss, then waiting up to %ss "
            "for requests in flight",
            self.drain.delay_s,
            self.drain.timeout_s,
        )
        loop = asyncio.get_running_loop()
        until = loop.time() + self.drain.delay_s
        # force_exit is set by a signal handler (a second Ctrl+C), not an awaitable event
        while loop.time() < until and not self.force_exit:  # noqa: ASYNC110
            await asyncio.sleep(min(0.05, max(until - loop.time(), 0)))
        await super().shutdown(sockets)


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ListenError(Exception):
    """The address cannot be listened on (in use, not local, no permission)."""


def listen_socket(
    host: str, port: int, *, backlog: int = 2048, reuse_port: bool = False
) -> socket.socket:
    """A bound, listening TCP socket for ``host``/``port`` (IPv4 or IPv6).

    Bound here, not by uvicorn, so that a port already in use is reported
    before anything says "serving", and so that one socket can be shared by
    every worker process. TCP_NODELAY is set on the listener (accepted
    sockets inherit it on Linux): asyncio only sets it itself for sockets
    whose ``proto`` is IPPROTO_TCP, and without it a response written in two
    parts waits ~40 ms for a delayed ACK. ``reuse_port`` lets several sockets (one per
    worker) listen on one port. Raises :class:`ListenError`.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.setblocking(False)
    sock.set_inheritable(True)
    return sock
