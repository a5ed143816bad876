"""Subgraph clients behind one protocol (HTTP and in-process kinds)."""

from aggregator.transport.base import Subgraph, SubgraphRequest, SubgraphResponse
from aggregator.transport.inprocess import InProcessSubgraph, load_python_subgraph

__all__ = [
    "InProcessSubgraph",
    "Subgraph",
    "SubgraphRequest",
    "SubgraphResponse",
    "load_python_subgraph",
]
