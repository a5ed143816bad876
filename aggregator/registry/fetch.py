"""Get one subgraph's SDL from wherever its config says it lives.

Three sources: the running federation service (``{ _service { sdl } }``,
over HTTP or, for ``python``/``connector`` subgraphs, in this process), a
local file, or introspection of a plain GraphQL service. Every failure is an
:class:`SdlFetchError` naming the subgraph and the URL or file, and every SDL
is parsed here so a broken SDL is reported against its subgraph, not as an
anonymous composition error later.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import aiohttp
from graphql import GraphQLError, parse

from aggregator.config import SdlSource, SubgraphConfig, ssl_context
from aggregator.registry.errors import SdlFetchError
from aggregator.registry.inprocess import describe, in_process_subgraph
from aggregator.registry.introspection_sdl import (
    INTROSPECTION_QUERY,
    introspection_to_subgraph_sdl,
)
from aggregator.transport.base import SubgraphRequest

SERVICE_SDL_QUERY = "query __ApolloGetServiceDefinition__ { _service { sdl } }"


async def fetch_subgraph_sdl(cfg: SubgraphConfig, session: aiohttp.ClientSession) -> str:
    """The subgraph's SDL as text, checked to parse."""
    if cfg.sdl_source is SdlSource.FILE:
        assert cfg.sdl_file is not None  # the loader guarantees it
        source = str(cfg.sdl_file)
        try:
            sdl = await asyncio.to_thread(cfg.sdl_file.read_text, encoding="utf-8")
        except OSError as exc:
            raise SdlFetchError(cfg.name, source, f"cannot read SDL file: {exc}") from exc
    elif cfg.sdl_source is SdlSource.SERVICE:
        source = _source(cfg)
        data = await _ask(cfg, session, SERVICE_SDL_QUERY)
        sdl_value = (data.get("_service") or {}).get("sdl") if isinstance(data, dict) else None
        if not isinstance(sdl_value, str):
            raise SdlFetchError(
                cfg.name,
                source,
                "response has no data._service.sdl; is it a federation subgraph? "
                "(use sdl_source: introspection for a plain GraphQL service)",
            )
        sdl = sdl_value
    else:
        source = _source(cfg)
        data = await _ask(cfg, session, INTROSPECTION_QUERY)
        if not isinstance(data, dict) or "__schema" not in data:
            raise SdlFetchError(cfg.name, source, "response has no data.__schema")
        try:
            sdl = introspection_to_subgraph_sdl(data)
        except (TypeError, ValueError, GraphQLError) as exc:
            raise SdlFetchError(cfg.name, source, f"unusable introspection result: {exc}") from exc
    check_sdl_parses(cfg.name, source, sdl)
    return sdl


def check_sdl_parses(subgraph: str, source: str, sdl: str) -> None:
    try:
        parse(sdl)
    except GraphQLError as exc:
        where = ""
        if exc.locations:
            loc = exc.locations[0]
            where = f" at line {loc.line}, column {loc.column}"
        raise SdlFetchError(subgraph, source, f"SDL does not parse{where}: {exc.message}") from exc


def _source(cfg: SubgraphConfig) -> str:
    return describe(cfg) if cfg.in_process else cfg.url


async def _ask(cfg: SubgraphConfig, session: aiohttp.ClientSession, query: str) -> Any:
    if not cfg.in_process:
        return await _post(cfg, session, query)
    subgraph = in_process_subgraph(cfg)
    try:
        response = await subgraph.fetch(SubgraphRequest(query))
    finally:
        await subgraph.close()
    return _data(cfg, describe(cfg), {"data": response.data, "errors": response.errors})


async def _post(cfg: SubgraphConfig, session: aiohttp.ClientSession, query: str) -> Any:
    headers = {"Content-Type": "application/json", "Accept": "application/json", **cfg.headers}
    context: ssl.SSLContext | bool = ssl_context(cfg.tls) or True
    try:
        async with session.post(
            cfg.url,
            json={"query": query},
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=cfg.timeout_s),
            ssl=context,
        ) as response:
            if response.status != 200:
                text = (await response.text(errors="replace"))[:200]
                raise SdlFetchError(cfg.name, cfg.url, f"HTTP {response.status}: {text}")
            try:
                body = await response.json(content_type=None)
            except ValueError as exc:
                raise SdlFetchError(cfg.name, cfg.url, "response is not JSON") from exc
    except TimeoutError as exc:
        raise SdlFetchError(cfg.name, cfg.url, f"no answer within {cfg.timeout_s:g}s") from exc
    except aiohttp.ClientConnectorCertificateError as exc:
        raise SdlFetchError(
            cfg.name, cfg.url, f"TLS certificate not trusted: {exc.certificate_error}"
        ) from exc
    except aiohttp.ClientSSLError as exc:
        raise SdlFetchError(cfg.name, cfg.url, f"TLS failure: {exc}") from exc
    except aiohttp.ClientError as exc:
        raise SdlFetchError(cfg.name, cfg.url, f"unreachable: {exc}") from exc
    except ssl.SSLError as exc:
        raise SdlFetchError(cfg.name, cfg.url, f"TLS failure: {exc}") from exc
    return _data(cfg, cfg.url, body)


def _data(cfg: SubgraphConfig, source: str, body: Any) -> Any:
    if not isinstance(body, dict):
        raise SdlFetchError(cfg.name, source, "response is not a JSON object")
    errors = body.get("errors")
    if errors:
        messages = "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
        )
        raise SdlFetchError(cfg.name, source, f"answered with errors: {messages}")
    return body.get("data")
