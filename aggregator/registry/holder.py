"""The one reference to the live gateway, swappable while requests run.

A request takes the current gateway once (``async with holder.use() as
gw``) and keeps that object to the end, so a reload never changes the schema
under a running request. The holder counts requests per gateway, so the
reloader can close a replaced gateway exactly when its last request ends,
instead of guessing with a grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

G = TypeVar("G")


class _Lease:
    __slots__ = ("count", "idle")

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()


class GatewayHolder(Generic[G]):
    def __init__(self, gateway: G) -> None:
        self._current = gateway
        self._leases: dict[int, _Lease] = {id(gateway): _Lease()}
        self.swaps = 0

    @property
    def current(self) -> G:
        return self._current

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[G]:
        """The gateway for one request; it stays open until the block exits."""
        gateway = self._current
        lease = self._leases.setdefault(id(gateway), _Lease())
        lease.count += 1
        lease.idle.clear()
        try:
            yield gateway
        finally:
            lease.count -= 1
            if lease.count == 0:
                lease.idle.set()

    def in_flight(self, gateway: G) -> int:
        lease = self._leases.get(id(gateway))
        return lease.count if lease is not None else 0

    def swap(self, new: G) -> G:
        """Make ``new`` current for every request that starts from now on; returns the old one."""
        old = self._current
        self._leases.setdefault(id(new), _Lease())
        self._current = new
        self.swaps += 1
        return old

    async def drained(self, gateway: G, timeout_s: float | None = None) -> bool:
        """Wait until no request uses ``gateway``; False if ``timeout_s`` passed first."""
        lease = self._leases.get(id(gateway))
        if lease is None:
            return True
        try:
            await asyncio.wait_for(lease.idle.wait(), timeout_s)
        except TimeoutError:
            return False
        if gateway is not self._current:
            self._leases.pop(id(gateway), None)
        return True
