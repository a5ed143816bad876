"""Small JSON documents from identity providers (key sets, discovery), over aiohttp.

One session for all issuers, created on first use inside the running loop.
Redirects are not followed (a key URL that moves is a configuration change,
not something to follow blindly), bodies are capped, and every failure is a
:class:`KeyFetchError` with a one-line reason, so callers decide what an
outage means instead of catching transport exceptions.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

__all__ = ["JsonGetter", "KeyFetchError", "cache_max_age"]


class KeyFetchError(Exception):
    """A key set or discovery document could not be fetched or understood."""


def cache_max_age(header: str | None) -> float | None:
    """Seconds the response may be reused: ``max-age``, or 0 for ``no-store``/``no-cache``."""
    if not header:
        return None
    max_age: float | None = None
    for directive in header.lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            try:
                max_age = max(0.0, float(value.strip().strip('"')))
            except ValueError:
                continue
    return max_age


class JsonGetter:
    def __init__(self, *, timeout_s: float, max_bytes: int) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                headers={"accept": "application/json, application/jwk-set+json"},
            )
        return self._session

    async def get(self, url: str) -> tuple[Any, float | None]:
        """The parsed JSON body and its Cache-Control max-age (None: not given)."""
        try:
            async with self.session().get(url, allow_redirects=False) as response:
                if response.status != 200:
                    raise KeyFetchError(f"GET {url}: HTTP {response.status}")
                body = await response.content.read(self.max_bytes + 1)
                if len(body) > self.max_bytes:
                    raise KeyFetchError(f"GET {url}: larger than {self.max_bytes} bytes")
                max_age = cache_max_age(response.headers.get("cache-control"))
        except TimeoutError as exc:
            raise KeyFetchError(f"GET {url}: timed out after {self.timeout_s:g}s") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise KeyFetchError(f"GET {url}: {exc or type(exc).__name__}") from exc
        try:
            return json.loads(body), max_age
        except ValueError as exc:
            raise KeyFetchError(f"GET {url}: the body is not JSON") from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            await asyncio.sleep(0)
