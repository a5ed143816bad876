"""One HTTP call to a REST backend, and how its failures become GraphQL errors.

Calls are plain hashable values so a per-request dataloader can deduplicate
identical ones. Failures are raised as ``GraphQLError`` with the agency, the
HTTP status and an ``extensions.code``; graphql-core places them at the
field's path and keeps the rest of the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
from graphql import GraphQLError

from aggregator.errors import SERVICE_NAME, ErrorCode

__all__ = ["HttpCall", "HttpResult", "connector_error", "perform"]

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


async def perform(
    session: aiohttp.ClientSession, call: HttpCall, timeout_seconds: float
) -> HttpResult:
    """Run ``call``; return the decoded JSON or raise a located-later ``GraphQLError``."""
    headers = dict(call.headers)
    if call.body is not None:
        headers.setdefault("Content-Type", "application/json")
    headers.setdefault("Accept", "application/json")
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
            status = response.status
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


