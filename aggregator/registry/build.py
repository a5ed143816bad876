"""From a config to a supergraph SDL: fetch every subgraph's SDL, then compose.

Used at start-up (``serve --config``, ``compose``, ``check``) and by the hot
reload watcher. All SDLs are fetched concurrently; every failure is
collected so one run reports all unreachable subgraphs, not just the first.
A subgraph marked ``optional`` that cannot be fetched is left out with a
warning instead of failing the build.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import aiohttp

from aggregator.config import GatewayConfig
from aggregator.registry.composer import SubgraphSdl, compose_sdls
from aggregator.registry.errors import SdlFetchError, SupergraphBuildError
from aggregator.registry.fetch import fetch_subgraph_sdl

log = logging.getLogger("aggregator.registry")


@dataclass(frozen=True, slots=True)
class FetchedSdls:
    sdls: Mapping[str, str]
    skipped: Mapping[str, SdlFetchError] = field(default_factory=dict)


async def fetch_all_sdls(
    config: GatewayConfig, session: aiohttp.ClientSession | None = None
) -> FetchedSdls:
    """SDL per subgraph name in config order; raises if a required subgraph fails."""
    own = session is None
    session = session or aiohttp.ClientSession()
    try:
        results = await asyncio.gather(
            *(fetch_subgraph_sdl(sub, session) for sub in config.subgraphs), return_exceptions=True
        )
    finally:
        if own:
            await session.close()
    sdls: dict[str, str] = {}
    skipped: dict[str, SdlFetchError] = {}
    failures: list[str] = []
    for sub, result in zip(config.subgraphs, results, strict=True):
        if isinstance(result, str):
            sdls[sub.name] = result
        elif isinstance(result, SdlFetchError):
            if sub.optional:
                log.warning("leaving out optional %s", result)
                skipped[sub.name] = result
            else:
                failures.append(str(result))
        else:
            raise result
    if failures:
        raise SupergraphBuildError("cannot fetch the SDL of required subgraphs", failures)
    if not sdls:
        raise SupergraphBuildError(
            "no subgraph could be fetched", [str(e) for e in skipped.values()]
        )
    return FetchedSdls(sdls, skipped)


async def compose_fetched(config: GatewayConfig, fetched: FetchedSdls) -> str:
    subgraphs = [
        SubgraphSdl(s.name, s.route, fetched.sdls[s.name])
        for s in config.subgraphs
        if s.name in fetched.sdls
    ]
    composed = await asyncio.to_thread(compose_sdls, subgraphs)
    for hint in composed.hints:
        log.info("composition hint: %s", hint)
    return composed.supergraph_sdl


async def build_supergraph(
    config: GatewayConfig, session: aiohttp.ClientSession | None = None
) -> str:
    """The supergraph SDL this config describes (read, or fetched and composed)."""
    if config.supergraph_file is not None:
        try:
            return await asyncio.to_thread(config.supergraph_file.read_text, encoding="utf-8")
        except OSError as exc:
            raise SupergraphBuildError("cannot read the supergraph file", [str(exc)]) from exc
    fetched = await fetch_all_sdls(config, session)
    return await compose_fetched(config, fetched)
