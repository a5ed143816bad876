"""Subgraph SDLs in, supergraph out: fetching, composing, watching and hot reload."""

from aggregator.registry.build import FetchedSdls, build_supergraph, fetch_all_sdls
from aggregator.registry.composer import Composed, SubgraphSdl, compose_sdls
from aggregator.registry.errors import RegistryError, SdlFetchError, SupergraphBuildError
from aggregator.registry.fetch import fetch_subgraph_sdl
from aggregator.registry.holder import GatewayHolder
from aggregator.registry.introspection_sdl import introspection_to_subgraph_sdl
from aggregator.registry.live import LiveGateway, start_live_gateway
from aggregator.registry.reload import GatewayReloader, close_gateway_default
from aggregator.registry.watcher import SupergraphWatcher

__all__ = [
    "Composed",
    "FetchedSdls",
    "GatewayHolder",
    "GatewayReloader",
    "LiveGateway",
    "RegistryError",
    "SdlFetchError",
    "SubgraphSdl",
    "SupergraphBuildError",
    "SupergraphWatcher",
    "build_supergraph",
    "close_gateway_default",
    "compose_sdls",
    "fetch_all_sdls",
    "fetch_subgraph_sdl",
    "introspection_to_subgraph_sdl",
    "start_live_gateway",
]
