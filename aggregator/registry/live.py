"""A gateway that follows its config: start-up build, holder, reloader and watcher together.

This is what ``aggregator serve --config`` runs: the first supergraph must
build (start-up fails loudly otherwise); after that every change goes
through the watcher and reloader, and a bad change never takes the gateway
down.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from aggregator.config import GatewayConfig
from aggregator.registry.holder import GatewayHolder
from aggregator.registry.reload import GatewayReloader, close_gateway_default
from aggregator.registry.watcher import SupergraphWatcher

G = TypeVar("G")


@dataclass
class LiveGateway(Generic[G]):
    holder: GatewayHolder[G]
    reloader: GatewayReloader[G]
    watcher: SupergraphWatcher

    async def close(self) -> None:
        await self.watcher.stop()
        await self.reloader.aclose()
        await self.reloader.close_gateway(self.holder.current)


async def start_live_gateway(
    config: GatewayConfig,
    build_gateway: Callable[[str], G | Awaitable[G]],
    *,
    file_interval_s: float = 1.0,
    drain_timeout_s: float = 120.0,
) -> LiveGateway[G]:
    """Build the first gateway (raises on failure) and start watching for changes."""
    reloader_box: list[GatewayReloader[G]] = []

    async def on_new_supergraph(sdl: str) -> bool:
        return await reloader_box[0].on_new_supergraph(sdl)

    watcher = SupergraphWatcher(config, on_new_supergraph, file_interval_s=file_interval_s)
    try:
        sdl = await watcher.build_initial()
        built = build_gateway(sdl)
        gateway = await built if inspect.isawaitable(built) else built
    except BaseException:
        await watcher.stop()
        raise
    holder = GatewayHolder(gateway)
    reloader = GatewayReloader(holder, build_gateway, close_gateway=close_gateway_default,
                               drain_timeout_s=drain_timeout_s)
    reloader_box.append(reloader)
    watcher.start()
    return LiveGateway(holder, reloader, watcher)
