"""Subgraph SDLs in, supergraph out: fetching, composing, watching and hot reload."""

from aggregator.registry.build import FetchedSdls, build_supergraph, fetch_all_sdls
from aggregator.registry.composer import Composed, SubgraphSdl, compose_sdls
from aggregator.registry.errors import RegistryError, SdlFetchError, SupergraphBuildError
from aggregator.registry.fetch import fetch_subgraph_sdl
from aggregator.registry.introspection_sdl import introspection_to_subgraph_sdl

__all__ = [
    "Composed",
    "FetchedSdls",
    "RegistryError",
    "SdlFetchError",
    "SubgraphSdl",
    "SupergraphBuildError",
    "build_supergraph",
    "compose_sdls",
    "fetch_all_sdls",
    "fetch_subgraph_sdl",
    "introspection_to_subgraph_sdl",
]
