"""Identities of tokens already validated, so a valid token costs a hash and a lookup.

Keyed by the SHA-256 of the token (the cache holds no token), bounded (oldest
entry out first), and an entry is used only until the token's ``exp``: after
that the token goes through full validation again, which refuses it (or
accepts it within the leeway, exactly as an uncached token would be).
Invalid tokens are not cached: each costs one signature check, and a cache of
them would be a cache an attacker fills.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from aggregator.security.identity import Identity

__all__ = ["TokenCache"]


class TokenCache:
    def __init__(self, size: int, *, clock: Callable[[], float] = time.time) -> None:
        self.size = size
        self.clock = clock
        self._entries: dict[bytes, tuple[Identity, float]] = {}

    @staticmethod
    def key(token: str) -> bytes:
        return hashlib.sha256(token.encode("ascii")).digest()

    def get(self, key: bytes) -> Identity | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.clock() >= entry[1]:
            del self._entries[key]
            return None
        return entry[0]

    def put(self, key: bytes, identity: Identity) -> None:
        if self.size <= 0 or identity.expires_at is None:
            return
        entries = self._entries
        if key not in entries and len(entries) >= self.size:
            del entries[next(iter(entries))]
        entries[key] = (identity, float(identity.expires_at))

    def __len__(self) -> int:
        return len(self._entries)
