"""Subgraph SDLs -> supergraph, through the Python composer, with errors as one exception.

The registry only needs "a supergraph, or every reason there is none"; this
adapter turns :func:`aggregator.composition.compose`'s result union into that,
so a composition bug or a bad subgraph set fails the build (and leaves the old
supergraph serving on reload) instead of crashing the gateway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.composition import CompositionSuccess, SubgraphSource, compose
from aggregator.registry.errors import SupergraphBuildError

# the composer's own input type: a name, where it serves, its SDL
SubgraphSdl = SubgraphSource


@dataclass(frozen=True, slots=True)
class Composed:
    supergraph_sdl: str
    hints: tuple[str, ...] = ()


def compose_sdls(subgraphs: Sequence[SubgraphSdl]) -> Composed:
    """Blocking (run it in a thread); raises :class:`SupergraphBuildError` listing every error."""
    result = compose(list(subgraphs))
    if isinstance(result, CompositionSuccess):
        return Composed(
            result.supergraph_sdl, tuple(f"[{h.code}] {h.message}" for h in result.hints)
        )
    problems = [f"[{e.code}] {e.message}" for e in result.errors]
    raise SupergraphBuildError("the subgraphs do not compose", problems or ["no reason given"])
