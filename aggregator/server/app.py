"""The ASGI application: GraphQL over HTTP, health, readiness, GraphiQL.

A raw ASGI app rather than a framework view: the gateway must decide every
status code and header of the GraphQL-over-HTTP spec itself, and each
request's overhead here is paid on the hot path (see docs/decisions/0001).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from aggregator.errors import ErrorCode, graphql_error
from aggregator.gateway import Gateway
from aggregator.gateway_holder import GatewayHolder
from aggregator.observability.request_record import note_document, note_errors, note_operation
from aggregator.operation import RequestError
from aggregator.security.identity import AuthenticationError, Authenticator, Identity
from aggregator.security.ratelimit import RateLimiter, peer_address
from aggregator.security.trusted_documents import DocumentRefused, TrustedDocuments, document_id
from aggregator.server import heap
from aggregator.server.admission import RETRY_AFTER_S, Admission, Overloaded
from aggregator.server.authentication import JWKS_CACHE_CONTROL, JWKS_PATH, refusal
from aggregator.server.cache_admin import ADMIN_PREFIX, serve_cache_admin
from aggregator.server.cache_headers import if_none_match, response_cache_headers
from aggregator.server.cors import CorsPolicy
from aggregator.server.http_request import (
    GRAPHQL_RESPONSE_JSON,
    GraphQLParams,
    HttpError,
    negotiate,
    params_from_body,
    params_from_query_string,
)
from aggregator.server.persisted import MemoryStore, PersistedQueryStore, resolve

log = logging.getLogger("aggregator.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_PREFLIGHT_HEADERS = (b"apollo-require-preflight", b"x-apollo-operation-name", b"graphql-preflight")


@dataclass(slots=True)
class ServerOptions:
    graphql_path: str = "/graphql"
    max_body_bytes: int = 2 * 1024 * 1024
    graphiql: bool = True
    expose_query_plans: bool = False
    # "cookies": GET needs a preflight header only when the browser sends cookies
    csrf_prevention: str = "cookies"
    example_operations: list[tuple[str, str]] = field(default_factory=list)
    # origins whose browser apps may call the gateway (None: same-origin only)
    cors: CorsPolicy | None = None
    # automatic persisted queries (None: a document is required with every request)
    persisted_queries: PersistedQueryStore | None = field(default_factory=MemoryStore)
    # who the caller is (None: no authentication, every caller is anonymous)
    authenticator: Authenticator | None = None
    # the public keys of the gateway's internal tokens, served at /.well-known/jwks.json
    jwks: bytes | None = None
    # bearer token of /admin/cache/* (None: those paths do not exist)
    cache_admin_token: str | None = field(default=None, repr=False)
    # the allow-list of operations (None: any valid operation runs)
    trusted_documents: TrustedDocuments | None = None
    # token buckets per caller (None: no rate limit)
    rate_limiter: RateLimiter | None = None
    # requests handled at once by this process; more get 503 (None: no limit)
    max_concurrent_requests: int | None = None
    # overall deadline of one GraphQL request (None: none)
    request_timeout_s: float | None = None


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers") or ()}


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str,
    extra: dict[str, str] | None = None,
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    for name, value in (extra or {}).items():
        headers.append((name.lower().encode(), value.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _with_headers(send: Send, extra: dict[str, str]) -> Send:
    """``send`` that adds ``extra`` to the response head."""
    encoded = [(k.encode(), v.encode()) for k, v in extra.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *encoded]}
        await send(message)

    return sending


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int, declared: bytes | None) -> bytes:
    if declared is not None:
        try:
            if int(declared) > limit:
                raise _BodyTooLarge
        except ValueError:
            pass
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


class GatewayApp:
    def __init__(self, holder: GatewayHolder, options: ServerOptions | None = None) -> None:
        self.holder = holder
        self.options = options or ServerOptions()
        self.admission = Admission(self.options.max_concurrent_requests)
        # set by the server when it begins a graceful shutdown (server/graceful.py)
        self.draining = False

    def begin_drain(self) -> None:
        """From now on /ready answers 503: load balancers stop sending new requests here."""
        self.draining = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.lifespan(receive, send)
            return
        if kind != "http":
            return
        path: str = scope.get("path", "/")
        method: str = scope.get("method", "GET")
        cors = self.options.cors
        if cors is not None:
            headers = _headers(scope)
            origin = headers.get(b"origin", b"").decode("latin-1")
            if origin and method == "OPTIONS" and b"access-control-request-method" in headers:
                allowed = cors.allows(origin)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 204,
                        "headers": cors.preflight(origin)
                        if allowed
                        else [(b"content-length", b"0")],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            if origin and cors.allows(origin):
                send = cors.wrap(send, origin)
        if path == self.options.graphql_path:
            await self.graphql(scope, receive, send, method)
        elif path == "/health":
            await _respond(send, 200, b'{"status":"ok"}', "application/json")
        elif path == "/ready":
            await self.readiness(send)
        elif path == "/plan" and method == "POST" and self.options.expose_query_plans:
            await self.plan(scope, receive, send)
        elif path.startswith(ADMIN_PREFIX) and self.options.cache_admin_token:
            await serve_cache_admin(
                scope, receive, send, self.holder.current, self.options.cache_admin_token
            )
        elif path == JWKS_PATH and self.options.jwks is not None:
            await _respond(
                send,
                200,
                self.options.jwks,
                "application/jwk-set+json",
                {"cache-control": JWKS_CACHE_CONTROL},
            )
        else:
            await self.extra_route(scope, receive, send, path, method)

    async def readiness(self, send: Send) -> None:
        if self.draining:
            body = b'{"status":"draining"}'
        elif self.holder.current is None:
            body = b'{"status":"no supergraph loaded"}'
        else:
            await _respond(send, 200, b'{"status":"ready"}', "application/json")
            return
        await _respond(send, 503, body, "application/json")

    async def extra_route(
        self, scope: Scope, receive: Receive, send: Send, path: str, method: str
    ) -> None:
        from aggregator.server import graphiql_routes

        accept_encoding = _headers(scope).get(b"accept-encoding", b"").decode("latin-1")
        if self.options.graphiql and await graphiql_routes.serve_asset(path, send, accept_encoding):
            return
        await _respond(send, 404, b"Not Found", "text/plain; charset=utf-8")

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                heap.settle()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                gateway = self.holder.current
                if gateway is not None:
                    await gateway.close()
                close = getattr(self.options.persisted_queries, "close", None)
                if close is not None:
                    await close()
                await self.close_authenticator()
                if self.options.rate_limiter is not None:
                    await self.options.rate_limiter.close()
                heap.release()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close_authenticator(self) -> None:
        close = getattr(self.options.authenticator, "close", None)
        if close is not None:
            await close()

    async def identify(self, scope: Scope, send: Send) -> tuple[bool, Identity | None]:
        """(False, None) when the request was refused (and answered); else the caller."""
        authenticator = self.options.authenticator
        if authenticator is None:
            return True, None
        try:
            return True, await authenticator.authenticate(scope.get("headers") or ())
        except AuthenticationError as exc:
            status, body, headers = refusal(exc)
            await _respond(send, status, body, "application/json", headers)
        except Exception:  # fail closed: a bug in authentication never serves the request
            log.exception("unexpected error while authenticating a request")
            await self.error(send, 500, "internal server error", ErrorCode.INTERNAL_SERVER_ERROR)
        return False, None

    async def graphql(self, scope: Scope, receive: Receive, send: Send, method: str) -> None:
        try:
            with self.admission.slot():
                await self._graphql(scope, receive, send, method)
        except Overloaded:
            await self.error(
                send,
                Overloaded.status,
                Overloaded.message,
                Overloaded.code,
                extra={"retry-after": str(RETRY_AFTER_S)},
            )

    async def _graphql(self, scope: Scope, receive: Receive, send: Send, method: str) -> None:
        headers = _headers(scope)
        accept = headers.get(b"accept", b"").decode("latin-1")
        if method == "GET" and not scope.get("query_string") and "text/html" in accept:
            await self.graphiql_page(send)
            return
        identity = None
        if method in ("GET", "POST"):
            allowed, identity = await self.identify(scope, send)
            if not allowed:
                return
        try:
            media = negotiate(accept or None)
            if method == "POST":
                body = await _read_body(
                    receive, self.options.max_body_bytes, headers.get(b"content-length")
                )
                params = params_from_body(body, headers.get(b"content-type", b"").decode("latin-1"))
            elif method == "GET":
                self.check_csrf(headers)
                params = params_from_query_string(scope.get("query_string", b""))
            else:
                raise HttpError(
                    405,
                    "GraphQL requests must use GET or POST",
                    ErrorCode.METHOD_NOT_ALLOWED,
                    {"allow": "GET, POST"},
                )
        except _BodyTooLarge:
            await self.error(
                send, 413, "the request body is too large", ErrorCode.PAYLOAD_TOO_LARGE
            )
            return
        except HttpError as exc:
            await _respond(
                send, exc.status, orjson.dumps(exc.body), "application/json", exc.headers
            )
            return
        await self.execute(
            send,
            params,
            media,
            method,
            headers,
            peer=peer_address(scope.get("client")),
            identity=identity,
        )

    def check_csrf(self, headers: dict[bytes, bytes]) -> None:
        mode = self.options.csrf_prevention
        if mode == "off":
            return
        if mode == "cookies" and b"cookie" not in headers:
            return
        if any(h in headers for h in _PREFLIGHT_HEADERS):
            return
        raise HttpError(
            400,
            "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "
            "Send a non-empty 'apollo-require-preflight' or 'x-apollo-operation-name' header, "
            "or use POST with content-type application/json.",
            ErrorCode.CSRF_PREVENTION,
        )

    async def execute(
        self,
        send: Send,
        params: GraphQLParams,
        media: str,
        method: str,
        headers: dict[bytes, bytes],
        *,
        peer: str | None = None,
        identity: Identity | None = None,
    ) -> None:
        """Run one GraphQL request; ``identity`` is the authenticated caller (None: anonymous)."""
        limiter = self.options.rate_limiter
        if limiter is not None:
            decision = await limiter.check(identity, headers, peer)
            if decision is not None:
                limit_headers = decision.headers(limiter.policy)
                send = _with_headers(send, limit_headers)
                if not decision.allowed:
                    await self.error(
                        send,
                        429,
                        "Too many requests; retry after the time in Retry-After.",
                        ErrorCode.REQUEST_RATE_LIMITED,
                        media,
                    )
                    return
        gateway = self.holder.current
        if gateway is None:
            await self.error(
                send, 503, "no supergraph is loaded yet", ErrorCode.INTERNAL_SERVER_ERROR
            )
            return
        strict = media == GRAPHQL_RESPONSE_JSON
        try:
            params = await self.resolve_document(params)
        except HttpError as exc:
            await _respond(send, exc.status, orjson.dumps(exc.body), media, exc.headers)
            return
        note_document(params.query, params.operation_name)
        timeout = self.options.request_timeout_s
        try:
            async with asyncio.timeout(timeout):
                await self.run(send, gateway, params, media, method, headers, identity, strict)
        except TimeoutError:
            log.warning("request deadline of %gs passed", timeout)
            await self.error(
                send,
                504,
                f"The request took longer than the gateway's deadline of {timeout:g}s.",
                ErrorCode.GATEWAY_TIMEOUT,
                media,
            )

    async def resolve_document(self, params: GraphQLParams) -> GraphQLParams:
        """The document to run: from the trusted list, then automatic persisted queries."""
        trusted = self.options.trusted_documents
        if trusted is not None:
            try:
                query = trusted.resolve(
                    params.query or None,
                    document_id(params.extensions, params.document_id),
                    params.operation_name,
                )
            except DocumentRefused as exc:
                raise HttpError(exc.status, exc.message, exc.code) from None
            if query is not None:
                return GraphQLParams(query, params.variables, params.operation_name, None)
        if params.document_id and not params.query:
            raise HttpError(400, "PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND)
        return await resolve(params, self.options.persisted_queries)

    async def run(
        self,
        send: Send,
        gateway: Gateway,
        params: GraphQLParams,
        media: str,
        method: str,
        headers: dict[bytes, bytes],
        identity: Identity | None,
        strict: bool,
    ) -> None:
        try:
            prepared = await gateway.prepare_async(
                params.query, params.operation_name, params.variables
            )
            note_operation(prepared.info.kind, prepared.info.name)
            prepared.report_cost = (params.extensions or {}).get("cost") is True
            if method == "GET" and prepared.info.kind != "query":
                await _respond(
                    send,
                    405,
                    orjson.dumps(
                        {
                            "errors": [
                                graphql_error(
                                    f"Can only perform a {prepared.info.kind} operation from a "
                                    "POST request.",
                                    ErrorCode.METHOD_NOT_ALLOWED,
                                )
                            ]
                        }
                    ),
                    media,
                    {"allow": "POST"},
                )
                return
            request_headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers.items()}
            policy = gateway.response_policy()
            if policy is None:
                result = await gateway.run(prepared, request_headers, identity)
            else:
                result = await gateway.run(prepared, request_headers, identity, policy=policy)
        except RequestError as exc:
            note_errors(len(exc.errors))
            status = exc.status if strict else (200 if exc.status < 500 else exc.status)
            if not strict and exc.status == 400:
                status = 200
            await _respond(send, status, orjson.dumps({"errors": exc.errors}), media)
            return
        except Exception:
            log.exception("unexpected error while executing an operation")
            await self.error(
                send, 500, "internal server error", ErrorCode.INTERNAL_SERVER_ERROR, media
            )
            return
        note_errors(len(result.get("errors") or ()))
        body = orjson.dumps(result)
        if policy is None:
            await _respond(send, 200, body, media)
            return
        extra = response_cache_headers(
            policy,
            result,
            body,
            method=method,
            authenticated=identity is not None,
            varies_by_caller=self.options.authenticator is not None,
        )
        etag = extra.get("etag")
        if etag is not None and if_none_match(request_headers.get("if-none-match"), etag):
            not_modified = [(k.encode(), v.encode()) for k, v in extra.items()]
            await send({"type": "http.response.start", "status": 304, "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
        await _respond(send, 200, body, media, extra)

    async def error(
        self,
        send: Send,
        status: int,
        message: str,
        code: ErrorCode,
        media: str = "application/json",
        extra: dict[str, str] | None = None,
    ) -> None:
        body = orjson.dumps({"errors": [graphql_error(message, code)]})
        await _respond(send, status, body, media, extra)

    async def plan(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        allowed, _ = await self.identify(scope, send)
        if not allowed:
            return
        gateway = self.holder.current
        try:
            body = await _read_body(
                receive, self.options.max_body_bytes, headers.get(b"content-length")
            )
            params = params_from_body(body, headers.get(b"content-type", b"").decode("latin-1"))
            if gateway is None:
                raise HttpError(503, "no supergraph is loaded yet", ErrorCode.INTERNAL_SERVER_ERROR)
            plan = gateway.plan(params.query, params.operation_name, params.variables)
        except _BodyTooLarge:
            await self.error(
                send, 413, "the request body is too large", ErrorCode.PAYLOAD_TOO_LARGE
            )
            return
        except HttpError as exc:
            await _respond(send, exc.status, orjson.dumps(exc.body), "application/json")
            return
        except RequestError as exc:
            await _respond(send, 200, orjson.dumps({"errors": exc.errors}), "application/json")
            return
        await _respond(
            send,
            200,
            orjson.dumps({"plan": str(plan), "json": plan.to_json()}),
            "application/json",
        )

    async def graphiql_page(self, send: Send) -> None:
        from aggregator.server import graphiql_routes

        if not self.options.graphiql:
            await _respond(send, 404, b"GraphiQL is disabled on this gateway.", "text/plain")
            return
        await graphiql_routes.serve_page(self.options, send)


def create_app(
    gateway: Gateway | GatewayHolder | None, options: ServerOptions | None = None
) -> GatewayApp:
    holder = gateway if isinstance(gateway, GatewayHolder) else GatewayHolder(gateway)
    return GatewayApp(holder, options)
