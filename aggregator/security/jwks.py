"""Where an issuer's verification keys come from: local files, or a cached remote JWKS.

The remote cache is the gateway's own (pyjwt's ``PyJWKClient`` drops its cache
when a fetch fails, turning an identity-provider outage into an authentication
outage). Its rules:

- keys are reused for the response's Cache-Control max-age, clamped into
  ``[min_ttl_s, max_ttl_s]`` (``default_ttl_s`` without one);
- a fetch is attempted at most once per ``refetch_interval_s``, whatever asks
  for it (expiry, an unknown ``kid``, a retry after a failure), and concurrent
  askers share the one fetch in flight: a flood of tokens with random kids
  costs the identity provider one request per interval;
- when a fetch fails, the previous keys stay in use until ``stale_if_error_s``
  past their expiry; after that (or before any fetch ever succeeded) requests
  get :class:`IdentityProviderUnavailable` (503), not 401.

A ``kid`` is only ever a dictionary key here: never a path, a URL or a file.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

import jwt

from aggregator.config.auth_model import JwksCacheConfig
from aggregator.security.fetch import JsonGetter, KeyFetchError
from aggregator.security.identity import AuthenticationError, IdentityProviderUnavailable
from aggregator.security.keys import KeySet

__all__ = ["KeySource", "RemoteKeySource", "StaticKeySource"]

log = logging.getLogger("aggregator.security")

Clock = Callable[[], float]


class KeySource(Protocol):
    """The keys of one issuer; ``key`` raises :class:`AuthenticationError` when none fits."""

    async def key(self, kid: str | None, alg: str) -> jwt.PyJWK: ...


def _no_key(issuer: str, kid: str | None, alg: str) -> AuthenticationError:
    # the kid is the caller's text: never echoed back
    what = "its kid" if kid is not None else "no kid"
    return AuthenticationError(f"no key of issuer {issuer} matches the token ({what}, {alg})")


class StaticKeySource:
    """Keys read from files at start-up (the embedded default)."""

    def __init__(self, issuer: str, keys: KeySet) -> None:
        self.issuer = issuer
        self.keys = keys

    async def key(self, kid: str | None, alg: str) -> jwt.PyJWK:
        found = self.keys.lookup(kid, alg)
        if found is None:
            raise _no_key(self.issuer, kid, alg)
        return found


class RemoteKeySource:
    """A JWKS URL (given, or found by OIDC discovery), cached as the module docstring says."""

    def __init__(
        self,
        issuer: str,
        url: Callable[[], Awaitable[str]],
        algorithms: Iterable[str],
        cache: JwksCacheConfig,
        http: JsonGetter,
        *,
        clock: Clock = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.url = url
        self.algorithms = tuple(algorithms)
        self.cache = cache
        self.http = http
        self.clock = clock
        self.fetches = 0
        self.last_error: str | None = None
        self._keys: KeySet | None = None
        self._expires_at = -math.inf
        self._last_attempt = -math.inf
        self._inflight: asyncio.Future[None] | None = None

    async def key(self, kid: str | None, alg: str) -> jwt.PyJWK:
        if self._keys is None or self.clock() >= self._expires_at:
            await self._refresh()
        keys = self._usable()
        found = keys.lookup(kid, alg)
        if found is None and kid is not None and not keys.has_kid(kid) and await self._refresh():
            keys = self._usable()
            found = keys.lookup(kid, alg)
        if found is None:
            raise _no_key(self.issuer, kid, alg)
        return found

    def _usable(self) -> KeySet:
        keys = self._keys
        if keys is None:
            raise IdentityProviderUnavailable(
                f"the signing keys of issuer {self.issuer} are unavailable "
                f"({self.last_error or 'not fetched yet'})",
                retry_after_s=self.cache.refetch_interval_s,
            )
        if self.clock() >= self._expires_at + self.cache.stale_if_error_s:
            raise IdentityProviderUnavailable(
                f"the signing keys of issuer {self.issuer} are stale past the limit and cannot "
                f"be refreshed ({self.last_error})",
                retry_after_s=self.cache.refetch_interval_s,
            )
        return keys

    async def _refresh(self) -> bool:
        """Fetch (or join the fetch in flight) unless one was attempted within the interval."""
        pending = self._inflight
        if pending is None:
            now = self.clock()
            if now - self._last_attempt < self.cache.refetch_interval_s:
                return False
            self._last_attempt = now
            pending = self._inflight = asyncio.ensure_future(self._fetch())
            pending.add_done_callback(self._fetched)
        await asyncio.shield(pending)
        return True

    def _fetched(self, _: asyncio.Future[None]) -> None:
        self._inflight = None

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            url = await self.url()
            document, max_age = await self.http.get(url)
            keys = KeySet.from_jwks(_jwk_list(url, document), self.algorithms)
            for reason in keys.skipped:
                log.warning("issuer %s: ignoring %s", self.issuer, reason)
            if not len(keys):
                raise KeyFetchError(f"{url} holds no key usable with {', '.join(self.algorithms)}")
        except KeyFetchError as exc:
            self.last_error = str(exc)
            stale = "keeping the previous keys" if self._keys is not None else "no keys yet"
            log.warning("issuer %s: key set fetch failed (%s): %s", self.issuer, stale, exc)
            return
        cache = self.cache
        ttl = cache.default_ttl_s if max_age is None else max_age
        self._keys = keys
        self._expires_at = self.clock() + min(max(ttl, cache.min_ttl_s), cache.max_ttl_s)
        self.last_error = None


def _jwk_list(url: str, document: Any) -> list[dict[str, Any]]:
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise KeyFetchError(f"{url} is not a JWK Set (no 'keys' list)")
    return [k for k in keys if isinstance(k, dict)]
