"""The server's gateway holder, plus knowing when a replaced gateway is idle.

The server (``aggregator.server.app``) reads ``holder.current``
(aggregator/gateway_holder.py) once per request and keeps that gateway to the
end of the request, so a swap never changes the schema under a running request.
What it cannot tell is when the last request on a replaced gateway has ended,
and closing a gateway earlier would cut that request's subgraph connections.

``DrainingGatewayHolder`` answers that without changing the server: each
read of ``current`` from inside a task (uvicorn runs every HTTP request in
its own task) leases that gateway until the task ends. ``drained(old)``
waits for the leases on ``old`` to end. Code that is not request-shaped
(long-lived tasks) should use :meth:`peek`, which takes no lease.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aggregator.gateway import Gateway
from aggregator.gateway_holder import GatewayHolder


class _Leases:
    __slots__ = ("idle", "tasks")

    def __init__(self) -> None:
        self.tasks: set[object] = set()  # request tasks, or tokens from use()
        self.idle = asyncio.Event()
        self.idle.set()


class DrainingGatewayHolder(GatewayHolder):
    def __init__(self, gateway: Gateway | None = None) -> None:
        self._gateway: Gateway | None = gateway
        self._leases: dict[int, _Leases] = {}
        self.swaps = 0

    @property
    def current(self) -> Gateway | None:
        """The gateway for the running request; leased to the calling task until it ends."""
        gateway = self._gateway
        if gateway is not None:
            try:
                task = asyncio.current_task()
            except RuntimeError:  # no running loop: nothing to drain for
                task = None
            if task is not None:
                self._lease(gateway, task)
        return gateway

    @current.setter
    def current(self, gateway: Gateway | None) -> None:
        self._gateway = gateway

    def peek(self) -> Gateway | None:
        """The current gateway, without a lease."""
        return self._gateway

    def swap(self, gateway: Gateway) -> Gateway | None:
        previous, self._gateway = self._gateway, gateway
        self.swaps += 1
        return previous

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[Gateway | None]:
        """An explicit lease for callers that share one task across many requests."""
        gateway = self._gateway
        token = object()
        if gateway is not None:
            self._lease(gateway, token)
        try:
            yield gateway
        finally:
            if gateway is not None:
                self._release(self._leases[id(gateway)], token)

    def in_flight(self, gateway: Gateway) -> int:
        leases = self._leases.get(id(gateway))
        return len(leases.tasks) if leases is not None else 0

    async def drained(self, gateway: Gateway, timeout_s: float | None = None) -> bool:
        """Wait until no request holds ``gateway``; False if ``timeout_s`` passed first."""
        leases = self._leases.get(id(gateway))
        if leases is None:
            return True
        try:
            await asyncio.wait_for(leases.idle.wait(), timeout_s)
        except TimeoutError:
            return False
        if gateway is not self._gateway and not leases.tasks:
            self._leases.pop(id(gateway), None)
        return True

    def _lease(self, gateway: Gateway, holder: object) -> _Leases:
        leases = self._leases.get(id(gateway))
        if leases is None:
            leases = self._leases[id(gateway)] = _Leases()
        if holder not in leases.tasks:
            leases.tasks.add(holder)
            leases.idle.clear()
            if isinstance(holder, asyncio.Task):
                holder.add_done_callback(lambda done: self._release(leases, done))
        return leases

    @staticmethod
    def _release(leases: _Leases, holder: object) -> None:
        leases.tasks.discard(holder)
        if not leases.tasks:
            leases.idle.set()
