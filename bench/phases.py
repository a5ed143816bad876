"""Split a profile of the gateway's hot path into the phases of one request.

Every sample's time goes to the innermost frame on its stack that a rule below
recognises, so JSON decoding inside the transport counts as "JSON decode", not
as "subgraph I/O". Requests run one at a time while profiled, so time spent
awaiting is time spent waiting for subgraphs. The rules follow the module
layout of aggregator (operation, planning/, execution/{entities,projection,
batching}, transport/); entity bookkeeping (representations, deep merge) counts
as merging, request batching as subgraph I/O. Python code of the gateway that
no rule names is "execution (other)"; asyncio's own bookkeeping "event loop".
Under load (``bench/profile --under-load``, py-spy with native frames) C code
shows too: parsing and copying subgraph answers (orjson, marshal) counts under
the transport's decoding functions, the response's encoding under the server's
``execute``, the HTTP server's own work (uvicorn, the ASGI app, socket writes to
clients) as "HTTP server", the cyclic collector as "garbage collection", and a
thread waiting to take the interpreter lock back (the loop and the offload
threads of ``aggregator.offload`` take turns) as "GIL wait".
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
    "execution (other)",
    "HTTP server",
    "event loop",
    "garbage collection",
    "GIL wait",
    "other",
)

Rule = Callable[[str, str], bool]

_SOCKET_CALLS = ("send", "sendall", "sendto", "recv", "recv_into", "select", "poll", "epoll")


def _in_aggregator(path: str, *parts: str) -> bool:
    return "aggregator/" in path and any(part in path for part in parts)


# Ordered: the first rule that matches a frame names its phase.
RULES: list[tuple[str, Rule]] = [
    ("garbage collection", lambda fn, path: fn.startswith("gc_collect")),
    ("GIL wait", lambda fn, path: fn in ("take_gil", "pthread_cond_timedwait")),
    (
        "JSON decode",
        lambda fn, path: (
            "aggregator/transport/http" in path
            and fn in ("decode_response", "response", "_share_equal_strings")
        ),
    ),
    ("JSON encode", lambda fn, path: fn == "execute" and "aggregator/server/app" in path),
    (
        "subgraph I/O",
        lambda fn, path: (
            fn == "[await]"
            or (fn in _SOCKET_CALLS and (path == "<built-in>" or "selectors" in path))
        ),
    ),
    (
        "JSON encode",
        lambda fn, path: fn in ("dumps", "encode") and ("json" in path or path == "<built-in>"),
    ),
    (
        "JSON decode",
        lambda fn, path: (
            fn in ("loads", "decode", "raw_decode", "json")
            and ("json" in path or "aiohttp" in path or path == "<built-in>")
        ),
    ),
    (
        "projection",
        lambda fn, path: (
            _in_aggregator(path, "projection")
            or path.startswith("<projection of")  # compiled by execution/projection_code
            or ("aggregator/" in path and "project" in fn)
        ),
    ),
    (
        "merging",
        lambda fn, path: (
            _in_aggregator(path, "merge", "execution/entities")
            or ("aggregator/execution" in path and ("merge" in fn or "entit" in fn))
        ),
    ),
    (
        "planning",
        lambda fn, path: _in_aggregator(path, "aggregator/planning", "aggregator/supergraph"),
    ),
    (
        "parse/validate",
        lambda fn, path: (
            "graphql/language" in path
            or "graphql/validation" in path
            or "graphql/utilities" in path
            or _in_aggregator(path, "aggregator/operation")
        ),
    ),
    (
        "subgraph I/O",
        lambda fn, path: (
            "aiohttp" in path
            or _in_aggregator(path, "aggregator/transport", "execution/batching")
            or "aiodataloader" in path
        ),
    ),
    (
        "HTTP server",
        lambda fn, path: "uvicorn/" in path or "httptools" in path or "aggregator/server/" in path,
    ),
    ("execution (other)", lambda fn, path: "aggregator/" in path),
    ("event loop", lambda fn, path: "asyncio/" in path or "selectors" in path),
]


def classify(function: str, path: str) -> str | None:
    function = function.rsplit(".", 1)[-1]  # "socket.send" -> "send"
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
