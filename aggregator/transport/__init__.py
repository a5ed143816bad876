"""Subgraph clients behind one protocol (HTTP and in-process kinds)."""

from aggregator.transport.base import Subgraph, SubgraphRequest, SubgraphResponse

__all__ = ["Subgraph", "SubgraphRequest", "SubgraphResponse"]
