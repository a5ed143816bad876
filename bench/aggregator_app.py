"""ASGI factory for running aggregator under ``uvicorn --workers N --factory``.

Used by ``bench/run --workers N`` only when ``aggregator serve`` has no
``--workers`` option: every uvicorn worker process calls this factory and
builds its own gateway from the supergraph and subgraph URLs in the environment
(``BENCH_SUPERGRAPH``: a file; ``BENCH_SUBGRAPH_URLS``: JSON name -> URL).
Also the ``aggregator-token`` leg (``BENCH_AUTH=dev``): the same app with
authentication on, trusting the demo's development key, anonymous refused.
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
    gateway = gateway_cls.from_supergraph_sdl(sdl, subgraph_urls=urls)
    if os.environ.get("BENCH_AUTH") != "dev":
        return create(gateway)
    options: Any = importlib.import_module("aggregator.server.app").ServerOptions
    demo: Any = importlib.import_module("aggregator.demo.auth")
    return create(gateway, options(authenticator=demo.demo_authenticator(anonymous=False)))
