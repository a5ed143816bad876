"""Split a profile of the gateway's hot path into the phases of one request.

Every sample's time goes to the innermost frame on its stack that a rule below
recognises, so JSON decoding inside the transport counts as "JSON decode", not
as "subgraph I/O". Requests run one at a time while profiled, so time spent
awaiting is time spent waiting for subgraphs. The rules follow the module
layout in docs/ARCHITECTURE (planning/, execution/, transport/); a phase the
gateway does not have yet simply reads 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PHASES = (
    "parse/validate",
    "planning",
    "subgraph I/O",
    "JSON decode",
    "merging",
    "projection",
    "JSON encode",
    "other",
)

Rule = Callable[[str, str], bool]


def _any(*words: str) -> Rule:
    return lambda function, path: any(w in path for w in words)


RULES: list[tuple[str, Rule]] = [
    ("subgraph I/O", lambda function, path: function in ("[await]", "select", "poll")),
    ("JSON encode", lambda function, path: function in ("dumps", "encode")
        and ("json" in path or path == "<built-in>")),
    ("JSON decode", lambda function, path: function in ("loads", "decode", "json", "raw_decode")
        and ("json" in path or "aiohttp" in path or path == "<built-in>")),
    ("projection", lambda function, path: "aggregator/" in path
        and ("project" in function or "projection" in path)),
    ("merging", lambda function, path: "aggregator/" in path
        and ("merge" in function or "merge" in path)),
    ("planning", _any("aggregator/planning", "aggregator/supergraph")),
    ("parse/validate", lambda function, path: "graphql/language" in path
        or "graphql/validation" in path or "graphql/utilities" in path
        or ("aggregator/" in path and function in ("parse", "validate"))),
    ("subgraph I/O", _any("aiohttp", "aggregator/transport", "asyncio/", "selectors")),
]


def classify(function: str, path: str) -> str | None:
    for phase, rule in RULES:
        if rule(function, path):
            return phase
    return None


def split_frames(root: Any) -> dict[str, float]:
    """Seconds per phase over a pyinstrument frame tree (``Session.root_frame()``)."""
    totals = dict.fromkeys(PHASES, 0.0)
    stack: list[tuple[Any, str]] = [(root, "other")]
    while stack:
        frame, inherited = stack.pop()
        phase = classify(str(frame.function), str(frame.file_path or "")) or inherited
        if frame.children:
            stack.extend((child, phase) for child in frame.children)
        else:
            totals[phase] += float(frame.time)
    return totals
