"""ASGI middleware: HTTP metrics and one access-log record per request.

Outermost in the server stack, so the duration it measures is the whole
request (body read, execution, compression, last byte sent). What a record
holds is a fixed list: time, method, path, status, duration, trace id,
operation name, type and hash, subgraph request count, error count, client
name and version (``apollographql-client-name`` / ``graphql-client-name``)
and the TLS client certificate's subject. Never headers, tokens, variables,
response data or client addresses: an access log is read by more people
than the data it describes may be.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from time import perf_counter
from typing import Any

from aggregator.lru import LRU
from aggregator.observability.metrics import metrics
from aggregator.observability.request_record import RequestRecord, open_record

__all__ = ["ObservedApp", "document_hash"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("aggregator.access")

_METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
_CLIENT_NAME = (b"apollographql-client-name", b"graphql-client-name")
_CLIENT_VERSION = (b"apollographql-client-version", b"graphql-client-version")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_hashes: LRU[str, str] = LRU(2048)


def document_hash(document: str) -> str:
    """sha256 of the document text, as APQ computes it (memoised: documents repeat)."""
    known = _hashes.get(document)
    if known is None:
        known = hashlib.sha256(document.encode()).hexdigest()
        _hashes.put(document, known)
    return known


def _header(headers: list[tuple[bytes, bytes]], names: tuple[bytes, ...]) -> str | None:
    for name, value in headers:
        if name.lower() in names:
            return _UNPRINTABLE.sub("", value.decode("latin-1"))[:128] or None
    return None


class ObservedApp:
    def __init__(
        self,
        app: App,
        *,
        routes: frozenset[str],
        quiet_paths: frozenset[str] = frozenset({"/health", "/ready"}),
        access_log: bool = True,
    ) -> None:
        self.app = app
        # known paths become the http.route label; anything else is "other" (bounded labels)
        self.routes = routes
        self.quiet_paths = quiet_paths
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        method = scope.get("method", "GET")
        method = method if method in _METHODS else "_OTHER"
        record = open_record()
        status = 500  # unless the app starts a response
        observing = bool(metrics.sinks)

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        if observing:
            metrics.active_requests(method, 1)
        try:
            await self.app(scope, receive, observed_send)
        finally:
            seconds = perf_counter() - started
            path: str = scope.get("path", "/")
            if observing:
                metrics.active_requests(method, -1)
                route = path if path in self.routes else "other"
                metrics.http_request(method, status, route, seconds)
            if self.access_log and path not in self.quiet_paths and log.isEnabledFor(logging.INFO):
                self._log(scope, method, path, status, seconds, record)

    def _log(
        self,
        scope: Scope,
        method: str,
        path: str,
        status: int,
        seconds: float,
        record: RequestRecord,
    ) -> None:
        headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        trace_id = record.trace_id
        if trace_id is None:
            parent = _header(headers, (b"traceparent",))
            match = _TRACEPARENT.match(parent) if parent else None
            trace_id = match.group(1) if match else None
        errors = record.errors if record.errors is not None else (1 if status >= 400 else 0)
        tls = (scope.get("extensions") or {}).get("tls") or {}
        fields: dict[str, Any] = {
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "trace_id": trace_id,
            "operation_name": record.operation_name,
            "operation_type": record.operation_type,
            "operation_hash": document_hash(record.document) if record.document else None,
            "subgraph_requests": record.subgraph_requests,
            "errors": errors,
            "client_name": _header(headers, _CLIENT_NAME),
            "client_version": _header(headers, _CLIENT_VERSION),
            "client_cert_subject": tls.get("client_cert_name"),
        }
        log.info("%s %s %d", method, path, status, extra={"fields": fields})
