"""Subgraph SDLs in, supergraph out: fetching, composing, watching and hot reload."""

from aggregator.registry.build import FetchedSdls, build_supergraph, fetch_all_sdls
from aggregator.registry.composer import Composed, SubgraphSdl, compose_sdls
from aggregator.registry.errors import RegistryError, SdlFetchError, SupergraphBuildError
from aggregator.registry.fetch import fetch_subgraph_sdl
from aggregator.registry.gateway_factory import gateway_from_config, server_options
from aggregator.registry.holder import DrainingGatewayHolder
from aggregator.registry.introspection_sdl import introspection_to_subgraph_sdl
from aggregator.registry.live import LiveGateway, start_live_gateway
from aggregator.registry.reload import GatewayReloader
from aggregator.registry.watcher import SupergraphWatcher

__all__ = [
    "Composed",
    "DrainingGatewayHolder",
    "FetchedSdls",
    "GatewayReloader",
    "LiveGateway",
    "RegistryError",
    "SdlFetchError",
    "SubgraphSdl",
    "SupergraphBuildError",
    "SupergraphWatcher",
    "build_supergraph",
    "compose_sdls",
    "fetch_all_sdls",
    "fetch_subgraph_sdl",
    "gateway_from_config",
    "introspection_to_subgraph_sdl",
    "server_options",
    "start_live_gateway",
]
