"""Rate limits per client: a token bucket per caller, in memory or in Redis shared by replicas.

Who "a caller" is comes from a list of key kinds tried in order, the first that a
request has wins: ``subject`` (issuer and subject of the validated token), ``agency``
(the token's agency: one bucket for a whole agency), ``client`` (the
``apollographql-client-name`` or ``graphql-client-name`` header) or ``ip`` (the peer
address, or the first ``X-Forwarded-For`` hop when ``trust_forwarded_for``). The
identity comes from authentication (``aggregator.security.identity.Identity``), never
from raw headers. ``client`` is sent by the client itself: use it after ``subject``,
not as the only key of a public endpoint.

A bucket holds ``capacity`` requests and refills ``refill_per_s`` of them per
second. In Redis, one Lua script reads, refills, takes and writes the bucket
atomically with Redis's own clock, so any number of gateway replicas share one
bucket per caller without a race and without trusting their clocks to agree.

A refused request gets 429 with ``Retry-After`` and the IETF RateLimit fields
(draft-ietf-httpapi-ratelimit-headers-11): ``RateLimit-Policy: "gateway";q=C;w=W``
and ``RateLimit: "gateway";r=R;t=T``. If the Redis store cannot be reached the
request is let through (and logged): a rate limiter outage must not become a
gateway outage.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from aggregator.security.identity import Identity

__all__ = [
    "CLIENT_NAME_HEADERS",
    "Decision",
    "KeyKind",
    "MemoryBuckets",
    "RateLimitPolicy",
    "RateLimiter",
    "RedisBuckets",
    "peer_address",
    "rate_limit_key",
]

log = logging.getLogger("aggregator.ratelimit")

CLIENT_NAME_HEADERS = (b"apollographql-client-name", b"graphql-client-name")
POLICY_NAME = "gateway"


class KeyKind(StrEnum):
    SUBJECT = "subject"
    AGENCY = "agency"
    CLIENT = "client"
    IP = "ip"


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    capacity: int = 100
    refill_per_s: float = 10.0
    keys: tuple[KeyKind, ...] = (KeyKind.SUBJECT, KeyKind.IP)
    trust_forwarded_for: bool = False
    # in-memory buckets kept (least recently used dropped first)
    max_buckets: int = 100_000
    redis_prefix: str = "aggregator:ratelimit:"

    @property
    def window_s(self) -> int:
        """Seconds an empty bucket takes to fill: the ``w`` of RateLimit-Policy."""
        return max(1, math.ceil(self.capacity / self.refill_per_s))


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    remaining: int
    # seconds until a request would be allowed (0 when allowed)
    retry_after_s: float
    # seconds until the bucket is full again
    reset_s: float

    def headers(self, policy: RateLimitPolicy) -> dict[str, str]:
        reset = math.ceil(self.retry_after_s if not self.allowed else self.reset_s)
        headers = {
            "ratelimit-policy": f'"{POLICY_NAME}";q={policy.capacity};w={policy.window_s}',
            "ratelimit": f'"{POLICY_NAME}";r={self.remaining};t={reset}',
        }
        if not self.allowed:
            headers["retry-after"] = str(max(1, math.ceil(self.retry_after_s)))
        return headers


def _client_ip(
    headers: Mapping[bytes, bytes], peer: str | None, trust_forwarded_for: bool
) -> str | None:
    if trust_forwarded_for:
        forwarded = headers.get(b"x-forwarded-for")
        if forwarded:
            first = forwarded.split(b",")[0].strip().decode("latin-1")
            if first:
                return first
    return peer


def rate_limit_key(
    identity: Identity | None,
    headers: Mapping[bytes, bytes],
    peer: str | None,
    policy: RateLimitPolicy,
) -> str:
    """The bucket a request draws from: the first key kind the request has."""
    for kind in policy.keys:
        if kind is KeyKind.SUBJECT and identity is not None:
            return f"sub:{identity.issuer}|{identity.subject}"
        if kind is KeyKind.AGENCY and identity is not None and identity.agency:
            return f"agency:{identity.agency}"
        if kind is KeyKind.CLIENT:
            for name in CLIENT_NAME_HEADERS:
                value = headers.get(name)
                if value:
                    return "client:" + value.decode("latin-1")[:200]
        if kind is KeyKind.IP:
            ip = _client_ip(headers, peer, policy.trust_forwarded_for)
            if ip:
                return f"ip:{ip}"
    return "anonymous"


class Buckets(Protocol):
    async def take(self, key: str, policy: RateLimitPolicy) -> Decision: ...

    async def close(self) -> None: ...


def _decide(tokens: float, allowed: bool, policy: RateLimitPolicy) -> Decision:
    rate = policy.refill_per_s
    retry = 0.0 if allowed else max(0.0, (1.0 - tokens) / rate)
    return Decision(
        allowed=allowed,
        remaining=max(0, math.floor(tokens)),
        retry_after_s=retry,
        reset_s=max(0.0, (policy.capacity - tokens) / rate),
    )


class MemoryBuckets:
    """Buckets of one process (one replica); bounded by ``max_buckets``."""

    def __init__(self) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str, policy: RateLimitPolicy) -> Decision:
        now = time.monotonic()
        tokens, last = self._buckets.pop(key, (float(policy.capacity), now))
        tokens = min(float(policy.capacity), tokens + (now - last) * policy.refill_per_s)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > policy.max_buckets:
            self._buckets.popitem(last=False)
        return _decide(tokens, allowed, policy)

    async def close(self) -> None:
        return None


# KEYS[1] bucket; ARGV capacity, refill per second. Redis's clock, so replicas agree.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1])
local ts = tonumber(bucket[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""


class RedisBuckets:
    """Buckets in Redis, shared by every replica; each take is one atomic script call."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis: Any = redis.from_url(url, decode_responses=True)
        self._script: Any = self._redis.register_script(_TAKE)

    async def take(self, key: str, policy: RateLimitPolicy) -> Decision:
        allowed, tokens = await self._script(
            keys=[policy.redis_prefix + key], args=[policy.capacity, policy.refill_per_s]
        )
        return _decide(float(tokens), bool(int(allowed)), policy)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    """The policy, the buckets and the key function together, as the server uses them."""

    def __init__(self, policy: RateLimitPolicy, buckets: Buckets | None = None) -> None:
        self.policy = policy
        self.buckets: Buckets = buckets or MemoryBuckets()

    async def check(
        self, identity: Identity | None, headers: Mapping[bytes, bytes], peer: str | None
    ) -> Decision | None:
        """The decision for one request; None when the store failed (the request goes on)."""
        key = rate_limit_key(identity, headers, peer, self.policy)
        try:
            return await self.buckets.take(key, self.policy)
        except Exception:
            log.warning("rate limit store unavailable; request allowed", exc_info=True)
            return None

    async def close(self) -> None:
        await self.buckets.close()


def peer_address(client: Sequence[Any] | None) -> str | None:
    """The ASGI ``scope["client"]`` host."""
    if client and isinstance(client[0], str):
        return client[0]
    return None
