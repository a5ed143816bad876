"""Subgraph clients behind one protocol (HTTP and in-process kinds)."""

from aggregator.transport.base import Subgraph, SubgraphRequest, SubgraphResponse
from aggregator.transport.inprocess import InProcessSubgraph, load_python_subgraph
from aggregator.transport.resilience import (
    CircuitBreakerPolicy,
    ResiliencePolicy,
    ResilientSubgraph,
    RetryPolicy,
)

__all__ = [
    "CircuitBreakerPolicy",
    "InProcessSubgraph",
    "ResiliencePolicy",
    "ResilientSubgraph",
    "RetryPolicy",
    "Subgraph",
    "SubgraphRequest",
    "SubgraphResponse",
    "load_python_subgraph",
]
