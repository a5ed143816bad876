"""A gateway that follows its config: start-up build, holder, reloader and watcher together.

This is what ``aggregator serve --config`` runs in each worker: the first
supergraph must build (start-up fails loudly otherwise); after that every
change goes through the watcher and reloader, and a bad change never takes
the gateway down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aggregator.config import GatewayConfig
from aggregator.gateway import Gateway
from aggregator.registry.gateway_factory import gateway_from_config
from aggregator.registry.holder import DrainingGatewayHolder
from aggregator.registry.reload import GatewayReloader
from aggregator.registry.watcher import SupergraphWatcher

BuildGateway = Callable[[GatewayConfig, str], Gateway]


@dataclass
class LiveGateway:
    holder: DrainingGatewayHolder
    reloader: GatewayReloader
    watcher: SupergraphWatcher

    async def close(self) -> None:
        await self.watcher.stop()
        await self.reloader.aclose()
        gateway = self.holder.peek()
        if gateway is not None:
            await gateway.close()


async def start_live_gateway(
    config: GatewayConfig,
    *,
    holder: DrainingGatewayHolder | None = None,
    build_gateway: BuildGateway = gateway_from_config,
    file_interval_s: float = 1.0,
    drain_timeout_s: float = 120.0,
) -> LiveGateway:
    """Build the first gateway (raises on failure) and start watching for changes.

    ``build_gateway`` gets the watcher's *current* config with each new
    supergraph, so subgraph URLs, headers and TLS edits apply on reload.
    """
    holder = holder or DrainingGatewayHolder()
    reloader: GatewayReloader | None = None

    async def on_new_supergraph(sdl: str) -> bool:
        assert reloader is not None
        return await reloader.on_new_supergraph(sdl)

    watcher = SupergraphWatcher(config, on_new_supergraph, file_interval_s=file_interval_s)
    try:
        sdl = await watcher.build_initial()
        holder.swap(build_gateway(watcher.config, sdl))
    except BaseException:
        await watcher.stop()
        raise
    reloader = GatewayReloader(
        holder,
        lambda new_sdl: build_gateway(watcher.config, new_sdl),
        drain_timeout_s=drain_timeout_s,
    )
    watcher.start()
    return LiveGateway(holder, reloader, watcher)
