"""Supergraph composition: subgraph SDLs -> supergraph SDL, Apollo Federation 2 rules.

from aggregator.composition import SubgraphSource, compose, CompositionSuccess
result = compose([SubgraphSource("products", "http://...", sdl), ...])
if isinstance(result, CompositionSuccess):
    result.supergraph_sdl
else:
    for error in result.errors: error.code, error.message
"""

from aggregator.composition.compose import compose
from aggregator.composition.errors import (
    CompositionError,
    CompositionErrorCode,
    CompositionHint,
    CompositionHintCode,
)
from aggregator.composition.results import (
    CompositionFailure,
    CompositionResult,
    CompositionSuccess,
    SubgraphSource,
)

__all__ = [
    "CompositionError",
    "CompositionErrorCode",
    "CompositionFailure",
    "CompositionHint",
    "CompositionHintCode",
    "CompositionResult",
    "CompositionSuccess",
    "SubgraphSource",
    "compose",
]
