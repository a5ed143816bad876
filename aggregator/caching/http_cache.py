"""HTTP caching of REST connector calls, in the same store as the resolver cache.

A REST backend says how its answers may be reused with ``Cache-Control``,
``ETag`` and ``Last-Modified``; this is a shared cache in RFC 9111's sense
that follows them:

- only GET, only 200 answers, never ``no-store`` or ``Vary: *``;
- fresh for ``s-maxage``/``max-age`` minus ``Age`` (capped by ``max_ttl_s``);
- an answer with a validator is kept ``rest_keep_stale_s`` past freshness, and
  once stale (or when marked ``no-cache``) it is revalidated with
  ``If-None-Match``/``If-Modified-Since``: a 304 refreshes it, anything else
  replaces it;
- ``private`` answers, and answers to calls carrying ``Authorization`` that
  the backend did not mark ``public``/``s-maxage``, are kept per subject in
  the caller's partition, and never for anonymous callers.

The key holds the whole call (method, URL, query, body, every header sent,
forwarded credentials included) and the partition, so ``Vary`` on any header
the gateway sends is honoured by construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
import orjson

from aggregator.caching.backends.base import CacheWrite
from aggregator.caching.keys import key_digest, tag_for_subgraph
from aggregator.caching.policy import Scope, parse_cache_control
from aggregator.connectors.http import HttpCall, HttpExchange, HttpResult, decode, exchange

if TYPE_CHECKING:
    from aggregator.caching.request import RequestCache

__all__ = ["RestHttpCache"]

_TYPE = "REST"


class _Entry:
    __slots__ = ("data", "etag", "fresh_s", "last_modified", "scope", "status", "stored_at")

    def __init__(self, raw: bytes, scope: Scope) -> None:
        stored_at, fresh, status, etag, last_modified, data = orjson.loads(raw)
        self.stored_at = float(stored_at)
        self.fresh_s = float(fresh)
        self.status = int(status)
        self.etag: str | None = etag
        self.last_modified: str | None = last_modified
        self.data: Any = data
        self.scope = scope

    def validators(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


class RestHttpCache:
    """One GraphQL request's view of the REST HTTP cache (its partition, its writes)."""

    def __init__(self, request: RequestCache) -> None:
        self.request = request
        self.store = request.store
        self.config = request.cache.config

    def _key(self, call: HttpCall, token: str) -> str:
        digest = key_digest(
            call.method,
            call.url,
            orjson.dumps(call.query),
            call.body or b"",
            orjson.dumps(sorted(call.headers)),
            token,
        )
        return f"h:{call.source}:{digest}"

    def _tokens(self) -> list[tuple[Scope, str]]:
        tokens = []
        for scope in (Scope.PRIVATE, Scope.PUBLIC):
            token = self.request.cache.token(self.request.partition, scope)
            if token is not None:
                tokens.append((scope, token))
        return tokens

    async def perform(
        self, session: aiohttp.ClientSession, call: HttpCall, timeout_seconds: float
    ) -> HttpResult:
        labels = (call.source, _TYPE)
        tokens = self._tokens()
        keys = [self._key(call, token) for _, token in tokens]
        values = await self.request._get(keys, [labels] * len(keys))
        entry: _Entry | None = None
        for (scope, _), raw in zip(tokens, values, strict=True):
            if raw is not None:
                try:
                    entry = _Entry(raw, scope)
                except (ValueError, TypeError):
                    entry = None
                if entry is not None:
                    break
        metrics = self.store.metrics
        now = self.store.clock()
        if entry is not None and now - entry.stored_at < entry.fresh_s:
            metrics.inc("hit", *labels)
            return HttpResult(entry.status, entry.data)
        validators = entry.validators() if entry is not None else {}
        answer = await exchange(session, call, timeout_seconds, validators or None)
        if answer.status == 304 and entry is not None:
            metrics.inc("hit", *labels)
            metrics.inc("revalidated", *labels)
            self._store(call, answer, entry.status, entry.data, entry)
            return HttpResult(entry.status, entry.data)
        metrics.inc("miss", *labels)
        result = decode(call, answer.status, answer.body)
        if answer.status == 200:
            self._store(call, answer, result.status, result.data, None)
        return result

    def _store(
        self,
        call: HttpCall,
        answer: HttpExchange,
        status: int,
        data: Any,
        previous: _Entry | None,
    ) -> None:
        header = parse_cache_control(answer.cache_control, answer.age)
        if header is None and previous is not None:
            # a 304 without Cache-Control: the stored answer's freshness applies again
            fresh = previous.fresh_s
            private = previous.scope is Scope.PRIVATE
        else:
            if header is not None and header.no_store:
                return
            if (answer.vary or "").strip() == "*":
                return
            fresh = 0.0
            if header is not None and header.max_age is not None and not header.no_cache:
                fresh = header.max_age
            authorised = any(name.lower() == "authorization" for name, _ in call.headers)
            private = header is not None and header.private
            private = private or (authorised and not (header is not None and header.public))
        etag = answer.etag or (previous.etag if previous is not None else None)
        last_modified = answer.last_modified or (
            previous.last_modified if previous is not None else None
        )
        fresh = min(fresh, self.config.max_ttl_s)
        keep = fresh + (self.config.rest_keep_stale_s if etag or last_modified else 0.0)
        if keep <= 0:
            return
        token = self.request.cache.token(
            self.request.partition, Scope.PRIVATE if private else Scope.PUBLIC
        )
        if token is None:
            return
        value = orjson.dumps([self.store.clock(), fresh, status, etag, last_modified, data])
        self.request._write(
            [
                CacheWrite(
                    self._key(call, token),
                    value,
                    keep,
                    (tag_for_subgraph(call.source), f"rest:{call.source}"),
                    call.source,
                    _TYPE,
                )
            ]
        )
