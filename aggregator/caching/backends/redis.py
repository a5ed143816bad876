"""The shared backend: one Redis or Redis Cluster for every replica, via ``redis.asyncio``.

A cache must never be the reason a request is slow or fails. Every call is
bounded by ``timeout_ms`` (default 50 ms) of Redis's time: the bound grows by
the event loop's own current lag (measured by a sleeping probe task), because a
gateway saturated with requests takes longer than 50 ms to even read an answer
that arrived in time, and bypassing the cache then would only add load. A
failure or timeout opens a
breaker for 100 ms, doubling up to ``max_backoff_s``, during which every call
is refused at once (:class:`BackendUnavailable`, counted as a bypass by the
store) so a dead Redis costs nothing per request. The first call after the
pause tries again; one success closes the breaker.

One plan step's lookups arrive as one call, sent as one ``MGET`` (per node
with a cluster); writes of a step go in one pipeline. Tags are sorted sets of
keys scored by expiry: a purge reads the members and unlinks them; writes trim
members past their expiry, and a tag set's own TTL is ``max_ttl_s`` (no entry
outlives it), refreshed on every write.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from aggregator.caching.backends.base import CacheWrite
from aggregator.caching.errors import BackendUnavailable
from aggregator.config.cache import RedisCacheConfig

__all__ = ["RedisBackend"]

T = TypeVar("T")

_FIRST_BACKOFF_S = 0.1
_TAG_MARGIN_S = 60
_LAG_PROBE_S = 0.025
_MAX_LAG_ALLOWANCE_S = 5.0
_GRACE_TURNS = 3
_CLUSTER_DISCOVERY_S = 1.0
# redis-py's own socket timeouts are a backstop only: the call deadline above decides
_SOCKET_BACKSTOP_S = 5.0


class RedisBackend:
    name = "redis"

    def __init__(
        self,
        config: RedisCacheConfig,
        *,
        max_ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.timeout_s = config.timeout_ms / 1000
        self.prefix = config.key_prefix
        self.max_ttl_s = max_ttl_s
        self.clock = clock
        self._client: Any = None
        self._down_until = 0.0
        self._backoff = _FIRST_BACKOFF_S
        self.failures = 0
        self.lag_s = 0.0
        self._lag_probe: asyncio.Task[None] | None = None
        self._topology_known = False

    # ---------------------------------------------------------------- connection
    def client(self) -> Any:
        if self._client is None:
            backstop = max(_SOCKET_BACKSTOP_S, self.timeout_s)
            options: dict[str, Any] = {
                "socket_timeout": backstop,
                "socket_connect_timeout": backstop,
            }
            if self.config.cluster:
                self._client = RedisCluster.from_url(
                    self.config.url, retry=Retry(NoBackoff(), 0), **options
                )
            else:
                self._client = Redis.from_url(
                    self.config.url, retry=Retry(NoBackoff(), 0), retry_on_timeout=False, **options
                )
        return self._client

    @property
    def up(self) -> bool:
        return self.clock() >= self._down_until

    def _failed(self) -> None:
        self.failures += 1
        self._topology_known = False
        pause = self._backoff * (0.5 + random.random() / 2)
        self._down_until = self.clock() + pause
        self._backoff = min(self._backoff * 2, self.config.max_backoff_s)

    async def _probe_lag(self) -> None:
        """How late this event loop runs callbacks: quick to rise, slow to fall."""
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(_LAG_PROBE_S)
            lag = max(0.0, loop.time() - start - _LAG_PROBE_S)
            self.lag_s = lag if lag > self.lag_s else self.lag_s * 0.9 + lag * 0.1

    def deadline_s(self) -> float:
        """This call's bound: Redis's budget plus what the loop itself adds right now."""
        if self._lag_probe is None or self._lag_probe.done():
            self._lag_probe = asyncio.get_running_loop().create_task(self._probe_lag())
        return self.timeout_s + min(3 * self.lag_s, _MAX_LAG_ALLOWANCE_S)

    async def _bounded(self, work: Awaitable[T], deadline_s: float) -> T:
        """``work`` within ``deadline_s``; a few more loop turns first if the loop was late.

        When the deadline fires, an answer that arrived in time may still sit unread
        behind other callbacks: letting the loop turn a few times reads it.
        """
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=deadline_s)
        for _ in range(_GRACE_TURNS):
            if done:
                break
            await asyncio.sleep(0)
            done = {task} if task.done() else set()
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise TimeoutError(f"no answer within {deadline_s * 1000:.0f} ms")
        return task.result()

    async def _call(self, operation: Callable[[Any], Awaitable[T]]) -> T:
        if not self.up:
            raise BackendUnavailable("the cache backend is paused after a failure")
        try:
            client = self.client()
            if self.config.cluster and not self._topology_known:
                # learning the cluster's slots takes several round trips: a longer bound, once
                await self._bounded(client.initialize(), _CLUSTER_DISCOVERY_S)
                self._topology_known = True
            result = await self._bounded(operation(client), self.deadline_s())
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed()
            raise BackendUnavailable(f"redis: {type(exc).__name__}: {exc}") from exc
        self._backoff = _FIRST_BACKOFF_S
        return result

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _tag_key(self, tag: str) -> str:
        return f"{self.prefix}:tag:{tag}"

    # ---------------------------------------------------------------- operations
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        names = [self._key(k) for k in keys]

        async def run(client: Any) -> list[bytes | None]:
            if self.config.cluster:
                values = await client.mget_nonatomic(names)
            else:
                values = await client.mget(names)
            return list(values)

        return await self._call(run)

    async def set_many(self, writes: Sequence[CacheWrite]) -> None:
        if not writes:
            return
        now = time.time()
        by_tag: dict[str, dict[str, float]] = {}
        for write in writes:
            for tag in write.tags:
                by_tag.setdefault(tag, {})[self._key(write.key)] = now + write.ttl_s

        async def run(client: Any) -> None:
            pipe = client.pipeline(transaction=False)
            for write in writes:
                pipe.set(self._key(write.key), write.value, px=max(1, int(write.ttl_s * 1000)))
            tag_ttl = int(self.max_ttl_s + _TAG_MARGIN_S)
            for tag, members in by_tag.items():
                name = self._tag_key(tag)
                pipe.zremrangebyscore(name, "-inf", now)
                pipe.zadd(name, members)
                pipe.expire(name, tag_ttl)
            await pipe.execute()

        await self._call(run)

    async def purge(self, tags: Sequence[str]) -> int:
        if not tags:
            return 0

        async def run(client: Any) -> int:
            pipe = client.pipeline(transaction=False)
            for tag in tags:
                pipe.zrange(self._tag_key(tag), 0, -1)
            found = await pipe.execute()
            keys = sorted({k for members in found for k in members})
            removed = 0
            for start in range(0, len(keys), 500):
                removed += int(await client.unlink(*keys[start : start + 500]))
            await client.delete(*(self._tag_key(t) for t in tags))
            return removed

        # a purge may touch many keys: allow it more than one lookup's budget
        if not self.up:
            raise BackendUnavailable("the cache backend is paused after a failure")
        try:
            return await self._bounded(run(self.client()), max(1.0, self.deadline_s() * 20))
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed()
            raise BackendUnavailable(f"redis: {type(exc).__name__}: {exc}") from exc

    def gauges(self) -> dict[str, float]:
        return {"up": 1.0 if self.up else 0.0}

    async def close(self) -> None:
        if self._lag_probe is not None:
            self._lag_probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_probe
            self._lag_probe = None
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
