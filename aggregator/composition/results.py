"""Inputs and outcomes of composition, as plain values.

``compose`` returns ``CompositionSuccess | CompositionFailure`` rather than
raising, so callers (CLI, config reload) can report every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aggregator.composition.errors import CompositionError, CompositionHint


@dataclass(frozen=True)
class SubgraphSource:
    """One subgraph as its team publishes it: a name, where it serves, its SDL."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class CompositionSuccess:
    supergraph_sdl: str
    hints: tuple[CompositionHint, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CompositionFailure:
    errors: tuple[CompositionError, ...]
    hints: tuple[CompositionHint, ...] = field(default_factory=tuple)


CompositionResult = CompositionSuccess | CompositionFailure
