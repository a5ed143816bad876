"""ASGI factory for running aggregator under ``uvicorn --workers N --factory``.

Used by ``bench/run --workers N`` only when ``aggregator serve`` has no
``--workers`` option: every uvicorn worker process calls this factory and
builds its own gateway from the supergraph and subgraph URLs in the environment
(``BENCH_SUPERGRAPH``: a file; ``BENCH_SUBGRAPH_URLS``: JSON name -> URL).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import orjson


def create_app() -> Any:
    gateway_cls: Any = importlib.import_module("aggregator.gateway").Gateway
    create: Any = importlib.import_module("aggregator.server.app").create_app
    sdl = Path(os.environ["BENCH_SUPERGRAPH"]).read_text()
    urls = orjson.loads(os.environ["BENCH_SUBGRAPH_URLS"])
    return create(gateway_cls.from_supergraph_sdl(sdl, subgraph_urls=urls))
