"""A subgraph client wrapped in the gateway's policies: retries, a circuit breaker, redaction.

``ResilientSubgraph`` implements the same ``Subgraph`` protocol as what it wraps, so
the executor does not know it is there. Per subgraph, in this order:

1. ``Retry-After``: after a subgraph answered 429/503 with ``Retry-After``, requests
   wait out the delay (up to ``max_retry_after_s``) or fail at once, instead of
   hammering a subgraph that asked for a pause.
2. Circuit breaker: ``failure_threshold`` failures in a row (connection errors,
   timeouts, 5xx) open the circuit: requests fail at once with
   ``SUBREQUEST_CIRCUIT_OPEN`` for ``open_s``; then one probe goes through
   (half-open) and its outcome closes or reopens the circuit.
3. Retries, for queries only (requests that may share an in-flight answer, which the
   executor marks ``deduplicate``; a mutation is never sent twice): connection
   failures and 429/502/503/504, with exponential backoff and full jitter, within a
   retry budget (each request earns ``budget_ratio`` of a retry, plus a floor of
   ``min_retries_per_s``), so retries cannot multiply the load on a struggling
   subgraph. Timeouts are not retried: the time is already spent.
4. Redaction of the errors that reach the client (``redaction.py``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field

from aggregator.errors import ErrorCode
from aggregator.transport.base import Subgraph, SubgraphRequest, SubgraphResponse
from aggregator.transport.redaction import ErrorPolicy, redact_errors

__all__ = [
    "CircuitBreaker",
    "CircuitBreakerPolicy",
    "ResiliencePolicy",
    "ResilientSubgraph",
    "RetryBudget",
    "RetryPolicy",
]

log = logging.getLogger("aggregator.resilience")

_RETRY_STATUS = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 2
    backoff_s: float = 0.05
    max_backoff_s: float = 1.0
    budget_ratio: float = 0.2
    min_retries_per_s: float = 1.0
    # a subgraph's Retry-After longer than this is not waited for: the request fails
    max_retry_after_s: float = 5.0


@dataclass(frozen=True, slots=True)
class CircuitBreakerPolicy:
    failure_threshold: int = 5
    open_s: float = 10.0


@dataclass(frozen=True, slots=True)
class ResiliencePolicy:
    errors: ErrorPolicy = ErrorPolicy.PASS_THROUGH
    retry: RetryPolicy | None = field(default_factory=RetryPolicy)
    circuit_breaker: CircuitBreakerPolicy | None = field(default_factory=CircuitBreakerPolicy)


class RetryBudget:
    """Retries earned by requests: at most ``ratio`` of the traffic, plus a small floor."""

    def __init__(self, ratio: float, min_per_s: float, cap: float = 10.0) -> None:
        self.ratio = ratio
        self.min_per_s = min_per_s
        self.cap = cap
        self.tokens = cap
        self._last = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.cap, self.tokens + (now - self._last) * self.min_per_s)
        self._last = now

    def deposit(self) -> None:
        self._refill()
        self.tokens = min(self.cap, self.tokens + self.ratio)

    def withdraw(self) -> bool:
        self._refill()
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class CircuitBreaker:
    """Closed -> (``failure_threshold`` failures in a row) open -> (``open_s``) half-open."""

    def __init__(self, name: str, policy: CircuitBreakerPolicy) -> None:
        self.name = name
        self.policy = policy
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if time.monotonic() - self.opened_at < self.policy.open_s:
            return "open"
        return "half-open"

    def allow(self) -> bool:
        """May a request go out now? In half-open, one probe at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "open" or self.probing:
            return False
        self.probing = True
        return True

    def record(self, failed: bool) -> None:
        was_probe, self.probing = self.probing, False
        if not failed:
            if self.opened_at is not None:
                log.info("circuit to subgraph %s closed", self.name)
            self.failures = 0
            self.opened_at = None
            return
        self.failures += 1
        if was_probe or self.failures >= self.policy.failure_threshold:
            if self.opened_at is None or was_probe:
                log.warning(
                    "circuit to subgraph %s opened after %d failures; retrying in %gs",
                    self.name,
                    self.failures,
                    self.policy.open_s,
                )
            self.opened_at = time.monotonic()

    def release(self) -> None:
        """A probe that never completed (cancelled) lets the next request probe."""
        self.probing = False


def _failed(response: SubgraphResponse) -> bool:
    """Does this answer count against the subgraph's health?"""
    if response.status < 500:
        return False
    codes = {(e.get("extensions") or {}).get("code") for e in response.errors}
    return ErrorCode.SUBREQUEST_RESPONSE_TOO_LARGE not in codes


def _retryable(response: SubgraphResponse) -> bool:
    if response.status not in _RETRY_STATUS:
        return False
    codes = {(e.get("extensions") or {}).get("code") for e in response.errors}
    return not codes & {ErrorCode.SUBREQUEST_TIMEOUT, ErrorCode.SUBREQUEST_RESPONSE_TOO_LARGE}


class ResilientSubgraph:
    """``inner`` with retries, a circuit breaker, Retry-After and error redaction."""

    def __init__(self, inner: Subgraph, policy: ResiliencePolicy) -> None:
        self.inner = inner
        self.name = inner.name
        self.policy = policy
        self.breaker = (
            CircuitBreaker(self.name, policy.circuit_breaker)
            if policy.circuit_breaker is not None
            else None
        )
        retry = policy.retry
        self.budget = (
            RetryBudget(retry.budget_ratio, retry.min_retries_per_s) if retry is not None else None
        )
        self.blocked_until = 0.0
        self.retries = 0
        self._random = random.Random()

    async def fetch(self, request: SubgraphRequest) -> SubgraphResponse:
        response = await self._attempts(request)
        if self.policy.errors is not ErrorPolicy.PASS_THROUGH and response.errors:
            response.errors = redact_errors(
                response.errors, self.policy.errors, self.name, from_gateway=response.from_gateway
            )
        return response

    async def _attempts(self, request: SubgraphRequest) -> SubgraphResponse:
        retry = self.policy.retry
        # only a request that may be shared in flight (a query) may be repeated
        retries_left = retry.max_retries if retry is not None and request.deduplicate else 0
        if self.budget is not None and request.deduplicate:
            self.budget.deposit()
        attempt = 0
        while True:
            response = await self._once(request)
            if retries_left <= 0 or not _retryable(response):
                return response
            assert retry is not None
            assert self.budget is not None
            delay = min(retry.max_backoff_s, retry.backoff_s * 2**attempt)
            delay = self._random.uniform(0, delay)
            if response.retry_after_s is not None:
                if response.retry_after_s > retry.max_retry_after_s:
                    return response
                delay = max(delay, response.retry_after_s)
            if not self.budget.withdraw():
                log.info("retry budget of subgraph %s spent; not retrying", self.name)
                return response
            retries_left -= 1
            attempt += 1
            self.retries += 1
            await asyncio.sleep(delay)

    async def _once(self, request: SubgraphRequest) -> SubgraphResponse:
        wait = self.blocked_until - time.monotonic()
        if wait > 0:
            limit = self.policy.retry.max_retry_after_s if self.policy.retry else 0.0
            if wait > limit:
                return self._refused(
                    f"Subgraph '{self.name}' asked for no requests for another {wait:.1f}s "
                    "(Retry-After)",
                    ErrorCode.SUBREQUEST_HTTP_ERROR,
                    503,
                )
            await asyncio.sleep(wait)
        breaker = self.breaker
        if breaker is not None and not breaker.allow():
            return self._refused(
                f"Subgraph '{self.name}' is unavailable: its circuit is open after repeated "
                "failures",
                ErrorCode.SUBREQUEST_CIRCUIT_OPEN,
                503,
            )
        try:
            response = await self.inner.fetch(request)
        except BaseException:
            if breaker is not None:
                breaker.release()
            raise
        if breaker is not None:
            breaker.record(_failed(response))
        if response.retry_after_s is not None and response.status in (429, 503):
            self.blocked_until = max(self.blocked_until, time.monotonic() + response.retry_after_s)
        return response

    def _refused(self, message: str, code: ErrorCode, status: int) -> SubgraphResponse:
        return SubgraphResponse(
            None,
            [{"message": message, "extensions": {"code": str(code), "serviceName": self.name}}],
            status=status,
            from_gateway=True,
        )

    async def close(self) -> None:
        await self.inner.close()
