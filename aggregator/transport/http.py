"""Subgraphs over HTTP: one pooled aiohttp session per subgraph.

A subgraph that is down, slow, or answers garbage must cost the client only
the part of the response that subgraph owns, so every failure becomes a
GraphQL error in the returned :class:`SubgraphResponse`; nothing raises.
A body over ``max_response_bytes`` is not read further (the connection is
dropped), so one subgraph cannot fill the gateway's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import email.utils
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
# status, reason, body, Cache-Control, Age, Retry-After (seconds)
_Raw = tuple[int, str, bytes, str | None, str | None, float | None]
_CHUNK = 64 * 1024
MiB = 1024 * 1024


class _TooLarge(Exception):
    pass


def retry_after_seconds(value: str | None) -> float | None:
    """An HTTP ``Retry-After`` in seconds (delta-seconds or an HTTP date), if valid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


@dataclass(frozen=True, slots=True)
class HttpSubgraphOptions:
    timeout_s: float = 30.0
    headers: Mapping[str, str] = field(default_factory=dict)
    max_connections: int = 100
    # from the config's TLS settings (aggregator/config/tls.py); None: platform defaults
    ssl: ssl.SSLContext | None = None
    # a larger body is an error at the fetch's fields (None: no limit)
    max_response_bytes: int | None = 10 * MiB


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
        self._closed = False
        # a configured header (e.g. a service token) is never replaced by a forwarded one
        self._configured = frozenset(name.lower() for name in self.options.headers)
        self._inflight: dict[tuple[bytes, tuple[tuple[str, str], ...]], _Exchange] = {}

    def session(self) -> aiohttp.ClientSession:
        if self._closed:  # a request still running on a retired gateway opens nothing new
            raise aiohttp.ClientConnectionError("the subgraph client is closed")
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
        return _decoded(self.name, outcome)

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        limit = self.options.max_response_bytes
        if limit is None:
            return await response.read()
        if response.content_length is not None and response.content_length > limit:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _post(self, payload: bytes, headers: dict[str, str]) -> SubgraphResponse | _Raw:
        try:
            async with self.session().post(
                self.url, data=payload, headers=headers or None
            ) as response:
                try:
                    body = await self._read(response)
                except _TooLarge:
                    response.close()  # stop reading: the rest never reaches memory
                    return SubgraphResponse(
                        None,
                        [
                            _error(
                                self.name,
                                f"The response of '{self.name}' is larger than "
                                f"{self.options.max_response_bytes} bytes",
                                ErrorCode.SUBREQUEST_RESPONSE_TOO_LARGE,
                            )
                        ],
                        status=502,
                        from_gateway=True,
                    )
                return (
                    response.status,
                    response.reason or "",
                    body,
                    response.headers.get("Cache-Control"),
                    response.headers.get("Age"),
                    retry_after_seconds(response.headers.get("retry-after")),
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
                from_gateway=True,
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
                from_gateway=True,
            )

    async def close(self) -> None:
        self._closed = True
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
            fields = marshal.loads(self.image)
            return SubgraphResponse(*fields)
        response = _decoded(name, outcome)
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
                        response.from_gateway,
                        response.retry_after_s,
                        response.size,
                    )
                )
        return response


def _decoded(name: str, outcome: _Raw) -> SubgraphResponse:
    status, reason, raw, cache_control, age, retry_after = outcome
    decoded = decode_response(name, status, reason, raw, cache_control, age)
    decoded.retry_after_s = retry_after
    decoded.size = len(raw)
    return decoded


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
                from_gateway=True,
            )
        message = f"HTTP fetch failed from '{name}': {status}: {reason}".rstrip(": ")
        return SubgraphResponse(
            None,
            [_error(name, message, ErrorCode.SUBREQUEST_HTTP_ERROR, status)],
            status=status,
            from_gateway=True,
        )
    assert isinstance(payload, dict)
    data = payload.get("data")
    errors = payload.get("errors") or []
    if not isinstance(errors, list):
        errors = [{"message": str(errors)}]
    from_gateway = not 200 <= status < 300 and not errors
    if from_gateway:
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
        from_gateway=from_gateway,
    )
