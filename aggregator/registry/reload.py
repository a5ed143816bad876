"""Swap in a gateway built from a new supergraph without failing a single request.

Order matters: the new gateway is fully built before the swap (a build
failure leaves the old one serving), new requests go to it from the swap on,
and the old one is closed only after its in-flight requests have drained.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aggregator.config import ConfigError
from aggregator.gateway import Gateway
from aggregator.observability.metrics import metrics
from aggregator.registry.errors import RegistryError, one_line
from aggregator.registry.holder import DrainingGatewayHolder
from aggregator.server import heap
from aggregator.supergraph import SupergraphError

log = logging.getLogger("aggregator.reload")


class GatewayReloader:
    def __init__(
        self,
        holder: DrainingGatewayHolder,
        build_gateway: Callable[[str], Gateway],
        *,
        drain_timeout_s: float = 120.0,
    ) -> None:
        self.holder = holder
        self.build_gateway = build_gateway
        self.drain_timeout_s = drain_timeout_s
        self.reloads = 0
        self.failures = 0
        self._lock = asyncio.Lock()
        self._retiring: set[asyncio.Task[None]] = set()

    async def on_new_supergraph(self, sdl: str) -> bool:
        """Build, swap, retire the old gateway in the background; False if the build failed."""
        async with self._lock:
            try:
                new = self.build_gateway(sdl)
            except (RegistryError, ConfigError, SupergraphError) as exc:
                self.failures += 1
                metrics.reload(False)
                log.error(
                    "new supergraph rejected; the previous one keeps serving: %s", one_line(exc)
                )
                return False
            except Exception:
                self.failures += 1
                metrics.reload(False)
                log.exception("new supergraph rejected; the previous one keeps serving")
                return False
            old = self.holder.swap(new)
            self.reloads += 1
            metrics.reload(True)
            if old is not None:
                task = asyncio.create_task(self._retire(old))
                self._retiring.add(task)
                task.add_done_callback(self._retiring.discard)
            log.info("supergraph reloaded (reload #%d)", self.reloads)
            return True

    async def _retire(self, old: Gateway) -> None:
        if not await self.holder.drained(old, self.drain_timeout_s):
            log.warning(
                "closing the previous gateway with requests still running after %gs",
                self.drain_timeout_s,
            )
        try:
            await old.close()
        except Exception:
            log.exception("closing the previous gateway failed")
        heap.release_and_settle()  # the old gateway was frozen with the heap: free it now

    async def aclose(self) -> None:
        """Wait for every retiring gateway to be closed."""
        while self._retiring:
            await asyncio.gather(*list(self._retiring))
