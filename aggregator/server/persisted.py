"""Automatic persisted queries (APQ): clients send a sha256 instead of the document.

Apollo Client and others send ``extensions.persistedQuery {version: 1,
sha256Hash}`` without a query; on ``PERSISTED_QUERY_NOT_FOUND`` they retry
with the query, which the gateway checks against the hash and remembers. The
memory store suits one process; the Redis store shares the documents between
every gateway replica. A store failure only costs the client its retry. Both
refuse documents over ``max_entry_bytes`` (the client keeps sending the text),
and the memory store keeps at most ``max_bytes`` of documents.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Protocol

from aggregator.errors import ErrorCode
from aggregator.lru import ByteLRU
from aggregator.server.http_request import GraphQLParams, HttpError

log = logging.getLogger("aggregator.persisted")


class PersistedQueryStore(Protocol):
    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, query: str) -> None: ...


MiB = 1024 * 1024
# a str costs about its length plus this in CPython, and the key as much again
_ENTRY_OVERHEAD = 200


class MemoryStore:
    def __init__(self, max_bytes: int = 16 * MiB, max_entry_bytes: int = 256 * 1024) -> None:
        self._items: ByteLRU[str, str] = ByteLRU(max_bytes, max_entry_bytes)

    @property
    def bytes(self) -> int:
        return self._items.bytes

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, sha256: str) -> str | None:
        return self._items.get(sha256)

    async def put(self, sha256: str, query: str) -> None:
        self._items.put(sha256, query, len(query) + len(sha256) + _ENTRY_OVERHEAD)


class RedisStore:
    """Documents in Redis under ``prefix + sha256``, expiring after ``ttl_s`` unused."""

    def __init__(
        self,
        url: str,
        prefix: str = "aggregator:apq:",
        ttl_s: int = 86_400,
        max_entry_bytes: int = 256 * 1024,
    ) -> None:
        import redis.asyncio as redis

        self._redis: Any = redis.from_url(url, decode_responses=True)
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.max_entry_bytes = max_entry_bytes

    async def get(self, sha256: str) -> str | None:
        try:
            value = await self._redis.getex(self.prefix + sha256, ex=self.ttl_s)
        except Exception:  # the store is a cache: an outage means a retry, not an error
            log.warning("persisted query store unavailable", exc_info=True)
            return None
        return value if isinstance(value, str) else None

    async def put(self, sha256: str, query: str) -> None:
        if len(query) > self.max_entry_bytes:
            return
        try:
            await self._redis.set(self.prefix + sha256, query, ex=self.ttl_s)
        except Exception:
            log.warning("persisted query store unavailable", exc_info=True)

    async def close(self) -> None:
        await self._redis.aclose()


async def resolve(params: GraphQLParams, store: PersistedQueryStore | None) -> GraphQLParams:
    """The request with its document: looked up by hash, or checked and stored."""
    extension = (params.extensions or {}).get("persistedQuery")
    if extension is None or (store is None and params.query):
        if not params.query:
            raise HttpError(
                400,
                "GraphQL operations must contain a non-empty `query` string",
                ErrorCode.BAD_REQUEST,
            )
        return params
    if store is None or not isinstance(extension, dict) or extension.get("version") != 1:
        raise HttpError(400, "PersistedQueryNotSupported", ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED)
    sha256 = extension.get("sha256Hash")
    if not isinstance(sha256, str) or len(sha256) != 64:
        raise HttpError(
            400, "persistedQuery.sha256Hash must be a sha256 hex digest", ErrorCode.BAD_REQUEST
        )
    sha256 = sha256.lower()
    if params.query:
        if hashlib.sha256(params.query.encode()).hexdigest() != sha256:
            raise HttpError(400, "provided sha does not match query", ErrorCode.BAD_REQUEST)
        await store.put(sha256, params.query)
        return params
    query = await store.get(sha256)
    if query is None:
        raise HttpError(200, "PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND)
    return GraphQLParams(query, params.variables, params.operation_name, params.extensions)
