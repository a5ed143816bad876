"""Placeholder, replaced below."""

from __future__ import annotations

from aggregator.composition.errors import CompositionError
from aggregator.composition.merge import Supergraph


def check_satisfiability(supergraph: Supergraph) -> list[CompositionError]:
    return []
