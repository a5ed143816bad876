"""Concurrent misses of one entry fill it once: the first request fetches, the rest wait.

The callers differ (their subject goes to the subgraph in a header), so the
HTTP layer's in-flight sharing cannot merge their requests: only the cache
can. A gate at the subgraph holds the first request until all are waiting.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.caching.agencies import Agencies
from tests.caching.gateway import Served, serve_gateway, token, write_config

CLASSES = "{ licenceClasses { code name description } }"


async def _concurrent(gateway: Served, agencies: Agencies, callers: int) -> list[object]:
    gate = asyncio.Event()
    agencies["catalog"].gate = gate
    tokens = [token(f"user{i}", "dmv") for i in range(callers)]
    tasks = [asyncio.ensure_future(gateway.post(CLASSES, bearer=t)) for t in tokens]
    for _ in range(200):
        if agencies["catalog"].waiting:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # the other callers reach the cache (or the subgraph) meanwhile
    gate.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), 20)
    return [r.body for r in results]


async def test_concurrent_misses_fill_once(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        bodies = await _concurrent(gateway, agencies, 5)
    assert all(body == bodies[0] for body in bodies)
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
    totals = gateway.metrics()["totals"]
    assert totals["shared"] == 4 + 4 * 20  # the list and its 20 entities, for 4 waiting callers
    assert totals["fill"] == 21


async def test_without_the_cache_each_caller_fetches(agencies: Agencies, config_dir: Path) -> None:
    section = """
cache:
  enabled: false
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        bodies = await _concurrent(gateway, agencies, 5)
    assert all(body == bodies[0] for body in bodies)
    assert agencies.counts()["catalog"] == 5
