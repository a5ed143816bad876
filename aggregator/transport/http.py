"""Subgraphs over HTTP: one pooled aiohttp session per subgraph.

A subgraph that is down, slow, or answers garbage must cost the client only
the part of the response that subgraph owns, so every failure becomes a
GraphQL error in the returned :class:`SubgraphResponse`; nothing raises.
A body over ``max_response_bytes`` is not read further (the connection is
dropped), so one subgraph cannot fill the gateway's memory.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from aggregator.errors import ErrorCode
from aggregator.observability import TRACE_HEADERS
from aggregator.transport.base import SubgraphRequest, SubgraphResponse

_ACCEPT = "application/graphql-response+json, application/json;q=0.9"
_CHUNK = 64 * 1024
MiB = 1024 * 1024

_Answer = tuple[int, str, bytes, float | None]


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
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    # a larger body is an error at the fetch's fields (None: no limit)
    max_response_bytes: int | None = 10 * MiB


def _error(name: str, message: str, code: ErrorCode, status: int | None = None) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": str(code), "serviceName": name}
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
        self._inflight: dict[
            tuple[bytes, tuple[tuple[str, str], ...]],
            asyncio.Future[SubgraphResponse | _Answer],
        ] = {}

    def _ssl(self) -> ssl.SSLContext | None:
        opts = self.options
        if not (opts.ca_file or opts.cert_file):
            return None
        context = ssl.create_default_context(cafile=opts.ca_file)
        if opts.cert_file:
            context.load_cert_chain(opts.cert_file, opts.key_file)
        return context

    def session(self) -> aiohttp.ClientSession:
        if self._closed:  # a request still running on a retired gateway opens nothing new
            raise aiohttp.ClientConnectionError("the subgraph client is closed")
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.options.max_connections,
                ssl=self._ssl() or True,
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
        if not request.deduplicate:
            return self._decode(await self._post(payload, request.headers))
        # Identical queries in flight share one HTTP exchange. The key holds every header we
        # send, so callers with different credentials never share; each caller decodes the
        # bytes itself, so no caller can see another's later changes to the data.
        key = (
            payload,
            tuple(sorted(h for h in request.headers.items() if h[0] not in TRACE_HEADERS)),
        )
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._post(payload, request.headers))
            self._inflight[key] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(key, None))
        return self._decode(await asyncio.shield(pending))

    def _decode(self, outcome: SubgraphResponse | _Answer) -> SubgraphResponse:
        if isinstance(outcome, SubgraphResponse):
            return outcome
        status, reason, raw, retry_after = outcome
        decoded = decode_response(self.name, status, reason, raw)
        decoded.retry_after_s = retry_after
        decoded.size = len(raw)
        return decoded

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

    async def _post(self, payload: bytes, headers: dict[str, str]) -> SubgraphResponse | _Answer:
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


def decode_response(name: str, status: int, reason: str, raw: bytes) -> SubgraphResponse:
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
        from_gateway=from_gateway,
    )
