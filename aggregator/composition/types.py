"""Type references as SDL strings, and how they relate across subgraphs.

Output positions may widen (``String!`` in one subgraph, ``String`` in
another: the supergraph says ``String``); input positions must narrow, so
the supergraph accepts only what every subgraph accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Implements = Callable[[str, str], bool]


def is_subtype(sub: str, sup: str, implements: Implements) -> bool:
    """Whether a value of type ``sub`` is always a valid ``sup``."""
    if sub == sup:
        return True
    if sup.endswith("!"):
        return sub.endswith("!") and is_subtype(sub[:-1], sup[:-1], implements)
    if sub.endswith("!"):
        return is_subtype(sub[:-1], sup, implements)
    if sup.startswith("["):
        return sub.startswith("[") and is_subtype(sub[1:-1], sup[1:-1], implements)
    if sub.startswith("["):
        return False
    return implements(sub, sup)


def widest(types: Sequence[str], implements: Implements) -> str | None:
    """The one type that every other type is a subtype of (output merge)."""
    for candidate in types:
        if all(is_subtype(t, candidate, implements) for t in types):
            return candidate
    return None


def narrowest(types: Sequence[str], implements: Implements) -> str | None:
    """The one type that is a subtype of every other type (input merge)."""
    for candidate in types:
        if all(is_subtype(candidate, t, implements) for t in types):
            return candidate
    return None
