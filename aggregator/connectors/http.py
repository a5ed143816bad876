"""One HTTP call to a REST backend, and how its failures become GraphQL errors.

Calls are plain hashable values so a per-request dataloader can deduplicate
identical ones. Failures are raised as ``GraphQLError`` with the agency, the
HTTP status and an ``extensions.code``; graphql-core places them at the
field's path and keeps the rest of the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp
import orjson
from graphql import GraphQLError

from aggregator.errors import SERVICE_NAME, ErrorCode

__all__ = [
    "REQUEST_HTTP_CACHE",
    "HttpCall",
    "HttpExchange",
    "HttpResponseCache",
    "HttpResult",
    "connector_error",
    "decode",
    "exchange",
    "perform",
]

_MAX_DETAIL = 200


@dataclass(frozen=True, slots=True)
class HttpCall:
    source: str
    method: str
    url: str
    query: tuple[tuple[str, str], ...]
    body: bytes | None
    headers: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        """Method and path only: backend hosts are internal and stay out of client errors."""
        return f"{self.method} {urlsplit(self.url).path}"


@dataclass(frozen=True, slots=True)
class HttpResult:
    status: int
    data: Any


def connector_error(
    message: str, code: ErrorCode, *, source: str, status: int | None = None, **extra: Any
) -> GraphQLError:
    extensions: dict[str, Any] = {"code": str(code), SERVICE_NAME: source}
    if status is not None:
        extensions["http"] = {"status": status}
    extensions.update(extra)
    return GraphQLError(message, extensions=extensions)


@dataclass(frozen=True, slots=True)
class HttpExchange:
    """One backend answer before decoding: status, the headers caching reads, the body."""

    status: int
    body: bytes
    cache_control: str | None = None
    age: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    vary: str | None = None


class HttpResponseCache(Protocol):
    """HTTP caching of GET calls for one GraphQL request (``aggregator.caching`` provides it)."""

    async def perform(
        self, session: aiohttp.ClientSession, call: HttpCall, timeout_seconds: float
    ) -> HttpResult: ...


# the current request's HTTP cache; set by the resolver cache around a plan's execution
REQUEST_HTTP_CACHE: ContextVar[HttpResponseCache | None] = ContextVar(
    "aggregator_request_http_cache", default=None
)


async def perform(
    session: aiohttp.ClientSession, call: HttpCall, timeout_seconds: float
) -> HttpResult:
    """Run ``call``; return the decoded JSON or raise a located-later ``GraphQLError``."""
    cache = REQUEST_HTTP_CACHE.get()
    if cache is not None and call.method == "GET":
        return await cache.perform(session, call, timeout_seconds)
    exchanged = await exchange(session, call, timeout_seconds)
    return decode(call, exchanged.status, exchanged.body)


async def exchange(
    session: aiohttp.ClientSession,
    call: HttpCall,
    timeout_seconds: float,
    extra_headers: Mapping[str, str] | None = None,
) -> HttpExchange:
    """Send ``call`` plus ``extra_headers`` (``If-None-Match``); raise on transport failure."""
    headers = dict(call.headers)
    if call.body is not None:
        headers.setdefault("Content-Type", "application/json")
    headers.setdefault("Accept", "application/json")
    if extra_headers:
        headers.update(extra_headers)
    try:
        async with session.request(
            call.method,
            call.url,
            params=list(call.query),
            data=call.body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout_seconds),
        ) as response:
            raw = await response.read()
            found = response.headers
            return HttpExchange(
                response.status,
                raw,
                found.get("Cache-Control"),
                found.get("Age"),
                found.get("ETag"),
                found.get("Last-Modified"),
                found.get("Vary"),
            )
    except TimeoutError as error:
        raise connector_error(
            f"{call.source}: {call.describe()} timed out after {timeout_seconds:g}s",
            ErrorCode.SUBREQUEST_TIMEOUT,
            source=call.source,
        ) from error
    except (aiohttp.ClientError, OSError) as error:
        raise connector_error(
            f"{call.source}: {call.describe()} failed: {type(error).__name__}",
            ErrorCode.SUBREQUEST_HTTP_ERROR,
            source=call.source,
        ) from error


def decode(call: HttpCall, status: int, raw: bytes) -> HttpResult:
    """The JSON of a backend answer, or the ``GraphQLError`` its status or body calls for."""
    if status >= 400:
        detail = raw[:_MAX_DETAIL].decode("utf-8", "replace")
        raise connector_error(
            f"{call.source}: {call.describe()} returned HTTP {status}",
            ErrorCode.SUBREQUEST_HTTP_ERROR,
            source=call.source,
            status=status,
            detail=detail,
        )
    if status == 204 or not raw.strip():
        return HttpResult(status, None)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise connector_error(
            f"{call.source}: {call.describe()} returned a body that is not JSON",
            ErrorCode.SUBREQUEST_MALFORMED_RESPONSE,
            source=call.source,
            status=status,
        ) from error
    return HttpResult(status, data)
