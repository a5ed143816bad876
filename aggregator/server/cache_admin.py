"""The cache's admin endpoints: purge and stats, behind the configured admin token.

Served only when ``cache.admin_token`` is set; otherwise these paths are 404
like any unknown path (never open by default). The token is compared in
constant time and is not a caller's JWT: operators' tooling (``aggregator
cache purge``) holds it, end users never do.

    POST /admin/cache/purge   {"type": "Product", "key": {"upc": "1"}} | {"type": ...}
                              | {"subgraph": "products"} | {"tag": "catalog"}
                              -> 200 {"purged": N}
    GET  /admin/cache/stats   -> 200 counters per subgraph and type, hit ratio, gauges
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from aggregator.caching import BackendUnavailable, InvalidPurge, PurgeRequest
from aggregator.errors import ErrorCode, graphql_error
from aggregator.gateway import Gateway

__all__ = ["ADMIN_PREFIX", "serve_cache_admin"]

ADMIN_PREFIX = "/admin/cache/"
_MAX_BODY = 64 * 1024

Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


async def _answer(
    send: Send, status: int, payload: Any, extra: dict[str, str] | None = None
) -> None:
    body = orjson.dumps(payload)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    headers.extend((k.encode(), v.encode()) for k, v in (extra or {}).items())
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _refusal(message: str, code: ErrorCode) -> dict[str, Any]:
    return {"errors": [graphql_error(message, code)]}


def authorised(scope: Scope, token: str) -> bool:
    for name, value in scope.get("headers") or ():
        if name.lower() == b"authorization":
            scheme, _, given = value.decode("latin-1").partition(" ")
            return scheme.lower() == "bearer" and hmac.compare_digest(
                given.strip().encode(), token.encode()
            )
    return False


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def purge_request(payload: Any) -> PurgeRequest:
    if not isinstance(payload, dict):
        raise InvalidPurge("the body must be a JSON object")
    unknown = set(payload) - {"type", "key", "subgraph", "tag"}
    if unknown:
        raise InvalidPurge("unknown fields: " + ", ".join(sorted(unknown)))
    for name in ("type", "subgraph", "tag"):
        if name in payload and not (isinstance(payload[name], str) and payload[name]):
            raise InvalidPurge(f"'{name}' must be a non-empty string")
    key = payload.get("key")
    if key is not None and not (isinstance(key, dict) and key):
        raise InvalidPurge("'key' must be a JSON object of the entity's @key fields")
    return PurgeRequest(payload.get("type"), key, payload.get("subgraph"), payload.get("tag"))


async def serve_cache_admin(
    scope: Scope, receive: Receive, send: Send, gateway: Gateway | None, token: str
) -> None:
    path: str = scope.get("path", "")
    method: str = scope.get("method", "GET")
    if not authorised(scope, token):
        await _answer(
            send,
            401,
            _refusal("the cache admin token is missing or wrong", ErrorCode.UNAUTHENTICATED),
            {"www-authenticate": 'Bearer realm="aggregator-cache-admin"'},
        )
        return
    if gateway is None or gateway.cache is None:
        await _answer(
            send,
            503,
            _refusal(
                "no cache is configured on the serving gateway", ErrorCode.INTERNAL_SERVER_ERROR
            ),
        )
        return
    if path == ADMIN_PREFIX + "stats" and method == "GET":
        await _answer(send, 200, gateway.cache.store.metrics.snapshot())
        return
    if path != ADMIN_PREFIX + "purge":
        await _answer(send, 404, _refusal("no such admin endpoint", ErrorCode.BAD_REQUEST))
        return
    if method != "POST":
        await _answer(
            send, 405, _refusal("purge with POST", ErrorCode.METHOD_NOT_ALLOWED), {"allow": "POST"}
        )
        return
    raw = await _body(receive)
    try:
        if raw is None:
            raise InvalidPurge("the body is missing or too large")
        try:
            payload = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidPurge("the body is not JSON") from exc
        purged = await gateway.cache.purge(purge_request(payload))
    except InvalidPurge as exc:
        await _answer(send, 400, _refusal(str(exc), ErrorCode.BAD_REQUEST))
        return
    except BackendUnavailable as exc:
        await _answer(
            send,
            503,
            _refusal(f"the cache backend is unavailable: {exc}", ErrorCode.INTERNAL_SERVER_ERROR),
        )
        return
    await _answer(send, 200, {"purged": purged})
