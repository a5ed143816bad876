"""The process-wide cache store: one backend, its counters, and in-flight fills.

A store outlives gateways: hot reload builds a new gateway on the same store
(same backend, same counters), and entries of the old schema simply stop
being read (their keys carry the old version) and age out. Stores are shared
per backend configuration and reference-counted, so the last gateway using
one closes it.

Backend failures never reach the request: the store counts a bypass and
answers "not cached" / "not written".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from aggregator.caching.backends.base import CacheBackend, CacheWrite
from aggregator.caching.backends.memory import MemoryBackend
from aggregator.caching.errors import BackendUnavailable
from aggregator.caching.metrics import CacheMetrics
from aggregator.config.cache import CacheBackendKind, CacheConfig

__all__ = ["CacheStore", "shared_store"]

log = logging.getLogger("aggregator.cache")

Labels = tuple[str, str]

_WARN_EVERY_S = 10.0


class CacheStore:
    def __init__(
        self,
        backend: CacheBackend,
        metrics: CacheMetrics | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backend = backend
        # wall-clock seconds: entries record when they were stored (replicas share them)
        self.clock = clock
        self.metrics = metrics or CacheMetrics()
        self.metrics.gauges = backend.gauges
        # memory lookups need no await: the request path takes them synchronously
        self.memory = backend if isinstance(backend, MemoryBackend) else None
        # key -> the value being fetched by some request right now (None: it was not cacheable)
        self.inflight: dict[str, asyncio.Future[bytes | None]] = {}
        self._users = 0
        self._closed = False
        self._key: tuple[object, ...] | None = None
        self._down_logged = False
        self._last_warning = -_WARN_EVERY_S
        self._last_fault = -_WARN_EVERY_S

    @classmethod
    def from_config(
        cls, config: CacheConfig, *, clock: Callable[[], float] = time.time
    ) -> CacheStore:
        metrics = CacheMetrics()
        backend: CacheBackend
        if config.backend is CacheBackendKind.REDIS:
            assert config.redis is not None
            # imported here: redis.asyncio costs a gateway without Redis about 20 MB
            from aggregator.caching.backends.redis import RedisBackend

            backend = RedisBackend(config.redis, max_ttl_s=config.max_ttl_s)
        else:
            backend = MemoryBackend(
                config.max_bytes,
                clock=clock,
                on_evict=lambda s, t: metrics.inc("eviction", s, t),
            )
        return cls(backend, metrics, clock=clock)

    # ---------------------------------------------------------------- lifetime
    def acquire(self) -> CacheStore:
        self._users += 1
        return self

    async def release(self) -> None:
        self._users -= 1
        if self._users <= 0 and not self._closed:
            self._closed = True
            if self._key is not None and _STORES.get(self._key) is self:
                del _STORES[self._key]
            await self.backend.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # ---------------------------------------------------------------- operations
    def _unavailable(self, exc: BackendUnavailable, labels: Sequence[Labels]) -> None:
        for subgraph, type_name in labels:
            self.metrics.inc("bypass", subgraph, type_name)
        now = time.monotonic()
        # an outage is logged once, and a flapping backend at most every _WARN_EVERY_S
        if not self._down_logged and now - self._last_warning >= _WARN_EVERY_S:
            self._down_logged = True
            self._last_warning = now
            log.warning("cache backend unavailable, serving without it: %s", exc)

    def _recovered(self) -> None:
        if self._down_logged:
            self._down_logged = False
            log.warning("cache backend available again")

    def _failed(self, exc: Exception, labels: Sequence[Labels]) -> None:
        """Not an outage but a fault (a bug, a library surprise): logged, then bypassed."""
        now = time.monotonic()
        if now - self._last_fault >= _WARN_EVERY_S:
            self._last_fault = now
            log.exception("cache backend failed; serving without it", exc_info=exc)
        for subgraph, type_name in labels:
            self.metrics.inc("bypass", subgraph, type_name)

    async def get_many(self, keys: Sequence[str], labels: Sequence[Labels]) -> list[bytes | None]:
        try:
            values = await self.backend.get_many(keys)
        except BackendUnavailable as exc:
            self._unavailable(exc, labels)
            return [None] * len(keys)
        except Exception as exc:  # the cache never fails a request
            self._failed(exc, labels)
            return [None] * len(keys)
        self._recovered()
        return values

    async def set_many(self, writes: Sequence[CacheWrite]) -> None:
        try:
            await self.backend.set_many(writes)
        except BackendUnavailable as exc:
            self._unavailable(exc, [(w.subgraph, w.type_name) for w in writes])
            return
        except Exception as exc:  # the cache never fails a request
            self._failed(exc, [(w.subgraph, w.type_name) for w in writes])
            return
        for write in writes:
            self.metrics.inc("fill", write.subgraph, write.type_name)

    async def purge(self, tags: Sequence[str]) -> int:
        """Remove every entry holding any of ``tags``; raises BackendUnavailable."""
        removed = await self.backend.purge(tags)
        if removed:
            self.metrics.inc("purged", "", "", removed)
        return removed


_STORES: dict[tuple[object, ...], CacheStore] = {}


def shared_store(config: CacheConfig) -> CacheStore:
    """The store for ``config``'s backend in this process (each gateway acquires it).

    Equal backend settings share one store, so a hot reload keeps the memory
    cache, the Redis connection pool and the counters.
    """
    key = config.store_key()
    store = _STORES.get(key)
    if store is None or store.closed:
        store = CacheStore.from_config(config)
        store._key = key
        _STORES[key] = store
    return store
