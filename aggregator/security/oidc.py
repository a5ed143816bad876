"""OpenID Connect discovery: find an issuer's ``jwks_uri`` from its own metadata.

The document at ``{issuer}/.well-known/openid-configuration`` must name
exactly the configured issuer (OpenID Connect Discovery 1.0, section 4.3):
metadata that claims another issuer is refused, so a look-alike host cannot
hand over its keys. The ``jwks_uri`` must be https (http only on loopback).
The URL is kept for the document's max-age (clamped like key sets) and, when
re-discovery fails, the last good URL keeps serving.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from aggregator.config.auth_model import JwksCacheConfig
from aggregator.security.fetch import JsonGetter, KeyFetchError

__all__ = ["DiscoveredJwksUrl", "discovery_url"]

log = logging.getLogger("aggregator.security")


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DiscoveredJwksUrl:
    """Awaitable provider of the issuer's current ``jwks_uri``."""

    def __init__(
        self,
        issuer: str,
        http: JsonGetter,
        cache: JwksCacheConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.http = http
        self.cache = cache
        self.clock = clock
        self.fetches = 0
        self._url: str | None = None
        self._expires_at = -math.inf

    async def __call__(self) -> str:
        if self._url is not None and self.clock() < self._expires_at:
            return self._url
        try:
            url, max_age = await self._discover()
        except KeyFetchError as exc:
            if self._url is None:
                raise
            log.warning("issuer %s: discovery failed, keeping %s: %s", self.issuer, self._url, exc)
            return self._url
        ttl = self.cache.default_ttl_s if max_age is None else max_age
        self._url = url
        self._expires_at = self.clock() + min(max(ttl, self.cache.min_ttl_s), self.cache.max_ttl_s)
        return url

    async def _discover(self) -> tuple[str, float | None]:
        self.fetches += 1
        where = discovery_url(self.issuer)
        document, max_age = await self.http.get(where)
        if not isinstance(document, dict):
            raise KeyFetchError(f"{where} is not a JSON object")
        if document.get("issuer") != self.issuer:
            raise KeyFetchError(
                f"{where} names issuer {document.get('issuer')!r}, not {self.issuer!r}"
            )
        url = document.get("jwks_uri")
        if not isinstance(url, str):
            raise KeyFetchError(f"{where} has no jwks_uri")
        parts = urlsplit(url)
        if not (
            parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname or ""))
        ):
            raise KeyFetchError(f"{where}: jwks_uri {url!r} is not https")
        return url, max_age
