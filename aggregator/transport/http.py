"""Subgraphs over HTTP: one pooled aiohttp session per subgraph.

A subgraph that is down, slow, or answers garbage must cost the client only
the part of the response that subgraph owns, so every failure becomes a
GraphQL error in the returned :class:`SubgraphResponse`; nothing raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import marshal
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from aggregator.errors import SERVICE_NAME, ErrorCode
from aggregator.observability import TRACE_HEADERS
from aggregator.transport.base import SubgraphRequest, SubgraphResponse

_ACCEPT = "application/graphql-response+json, application/json;q=0.9"

# status, reason, body, Cache-Control, Age
_Raw = tuple[int, str, bytes, str | None, str | None]


@dataclass(frozen=True, slots=True)
class HttpSubgraphOptions:
    timeout_s: float = 30.0
    headers: Mapping[str, str] = field(default_factory=dict)
    max_connections: int = 100
    # from the config's TLS settings (aggregator/config/tls.py); None: platform defaults
    ssl: ssl.SSLContext | None = None


def _error(name: str, message: str, code: ErrorCode, status: int | None = None) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": str(code), SERVICE_NAME: name}
    if status is not None:
        extensions["http"] = {"status": status}
    return {"message": message, "extensions": extensions}


class HttpSubgraph:
    def __init__(self, name: str, url: str, options: HttpSubgraphOptions | None = None) -> None:
        self.name = name
        self.url = url
        self.options = options or HttpSubgraphOptions()
        self._session: aiohttp.ClientSession | None = None
        # a configured header (e.g. a service token) is never replaced by a forwarded one
        self._configured = frozenset(name.lower() for name in self.options.headers)
        self._inflight: dict[tuple[bytes, tuple[tuple[str, str], ...]], _Exchange] = {}

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.options.max_connections,
                ssl=self.options.ssl or True,
                keepalive_timeout=30,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.options.timeout_s),
                json_serialize=lambda obj: orjson.dumps(obj).decode(),
                headers={
                    "content-type": "application/json",
                    "accept": _ACCEPT,
                    **self.options.headers,
                },
            )
        return self._session

    async def fetch(self, request: SubgraphRequest) -> SubgraphResponse:
        body: dict[str, Any] = {"query": request.query}
        if request.variables:
            body["variables"] = request.variables
        if request.operation_name:
            body["operationName"] = request.operation_name
        payload = orjson.dumps(body)
        if self._configured and any(h.lower() in self._configured for h in request.headers):
            request.headers = {
                k: v for k, v in request.headers.items() if k.lower() not in self._configured
            }
        if not request.deduplicate:
            return self._decode(await self._post(payload, request.headers))
        # Identical queries in flight share one HTTP exchange. The key holds every header we
        # send, so callers with different credentials never share; each caller decodes the
        # bytes itself, so no caller can see another's later changes to the data.
        headers = request.headers
        key = (
            payload,
            tuple(sorted(h for h in headers.items() if h[0] not in TRACE_HEADERS))
            if headers
            else (),
        )
        exchange = self._inflight.get(key)
        if exchange is None:
            exchange = _Exchange(asyncio.ensure_future(self._post(payload, headers)))
            self._inflight[key] = exchange
            exchange.future.add_done_callback(lambda _: self._inflight.pop(key, None))
        exchange.waiting += 1
        return exchange.response(self.name, await asyncio.shield(exchange.future))

    def _decode(self, outcome: SubgraphResponse | _Raw) -> SubgraphResponse:
        if isinstance(outcome, SubgraphResponse):
            return outcome
        return decode_response(self.name, *outcome)

    async def _post(self, payload: bytes, headers: dict[str, str]) -> SubgraphResponse | _Raw:
        try:
            async with self.session().post(
                self.url, data=payload, headers=headers or None
            ) as response:
                return (
                    response.status,
                    response.reason or "",
                    await response.read(),
                    response.headers.get("Cache-Control"),
                    response.headers.get("Age"),
                )
        except TimeoutError:
            return SubgraphResponse(
                None,
                [
                    _error(
                        self.name,
                        f"HTTP fetch failed from '{self.name}': request timed out after "
                        f"{self.options.timeout_s:g}s",
                        ErrorCode.SUBREQUEST_TIMEOUT,
                    )
                ],
                status=504,
            )
        except (aiohttp.ClientError, OSError) as exc:
            return SubgraphResponse(
                None,
                [
                    _error(
                        self.name,
                        f"HTTP fetch failed from '{self.name}': {exc or type(exc).__name__}",
                        ErrorCode.SUBREQUEST_HTTP_ERROR,
                    )
                ],
                status=502,
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            # let aiohttp close transports before the loop goes away
            await asyncio.sleep(0)


class _Exchange:
    """One HTTP exchange shared by identical in-flight requests, and their decoded copies.

    Every caller needs its own objects (the executor merges into them), but parsing
    the same JSON once per caller is the largest cost of a shared exchange. The
    first caller parses it; when at least two more are waiting, it also keeps a
    ``marshal`` image of the result, which the others load instead: fresh objects
    for each, in a fraction of the time. Equal strings are made one object first,
    so the image holds each once and every copy shares them within itself (a review
    body repeated in 100 places is one string per caller, not 100): less memory per
    caller and less to load. The image never leaves this process and holds only
    what ``orjson`` decoded.
    """

    __slots__ = ("future", "image", "waiting")

    def __init__(self, future: asyncio.Future[SubgraphResponse | _Raw]) -> None:
        self.future = future
        self.waiting = 0  # callers that have not taken their response yet
        self.image: bytes | None = None

    def response(self, name: str, outcome: SubgraphResponse | _Raw) -> SubgraphResponse:
        self.waiting -= 1
        if isinstance(outcome, SubgraphResponse):  # a transport failure: errors only
            return outcome
        if self.image is not None:
            data, errors, extensions, status, cache_control, age = marshal.loads(self.image)
            return SubgraphResponse(data, errors, extensions, status, cache_control, age)
        response = decode_response(name, *outcome)
        if self.waiting >= 2:
            _share_equal_strings(response.data)
            # not marshallable after all (ValueError): every caller decodes
            with contextlib.suppress(ValueError):
                self.image = marshal.dumps(
                    (
                        response.data,
                        response.errors,
                        response.extensions,
                        response.status,
                        response.cache_control,
                        response.age,
                    )
                )
        return response


def _share_equal_strings(value: Any) -> None:
    """Replace equal strings in decoded JSON by one object each (values only; ``orjson``
    already shares short keys)."""
    canonical: dict[str, str] = {}
    share = canonical.setdefault
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for key, item in node.items():
                kind = type(item)
                if kind is str:
                    node[key] = share(item, item)
                elif kind is dict or kind is list:
                    stack.append(item)
        elif type(node) is list:
            for index, item in enumerate(node):
                kind = type(item)
                if kind is str:
                    node[index] = share(item, item)
                elif kind is dict or kind is list:
                    stack.append(item)


def decode_response(
    name: str,
    status: int,
    reason: str,
    raw: bytes,
    cache_control: str | None = None,
    age: str | None = None,
) -> SubgraphResponse:
    payload: Any = None
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        payload = None
    is_graphql = isinstance(payload, dict) and ("data" in payload or "errors" in payload)
    if not is_graphql:
        if 200 <= status < 300:
            message = (
                f"Invalid GraphQL response from '{name}': the body is not a GraphQL JSON response"
            )
            return SubgraphResponse(
                None,
                [_error(name, message, ErrorCode.SUBREQUEST_MALFORMED_RESPONSE, status)],
                status=status,
            )
        message = f"HTTP fetch failed from '{name}': {status}: {reason}".rstrip(": ")
        return SubgraphResponse(
            None, [_error(name, message, ErrorCode.SUBREQUEST_HTTP_ERROR, status)], status=status
        )
    assert isinstance(payload, dict)
    data = payload.get("data")
    errors = payload.get("errors") or []
    if not isinstance(errors, list):
        errors = [{"message": str(errors)}]
    if not 200 <= status < 300 and not errors:
        errors = [
            _error(
                name,
                f"HTTP fetch failed from '{name}': {status}: {reason}",
                ErrorCode.SUBREQUEST_HTTP_ERROR,
                status,
            )
        ]
    return SubgraphResponse(
        data if isinstance(data, dict) else None,
        [e if isinstance(e, dict) else {"message": str(e)} for e in errors],
        payload.get("extensions"),
        status,
        cache_control,
        age,
    )
