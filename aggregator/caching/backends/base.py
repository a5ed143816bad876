"""The interface every cache backend implements, and what a write carries.

Backends store opaque bytes under string keys with a TTL, and keep tag
indexes so a purge can find every entry of a subgraph, type, entity or
``@cacheTag``. They raise :class:`BackendUnavailable` instead of waiting;
the store above turns that into a bypass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CacheBackend", "CacheWrite"]


@dataclass(frozen=True, slots=True)
class CacheWrite:
    key: str
    value: bytes
    ttl_s: float
    tags: tuple[str, ...]
    # metric labels: which subgraph and type the entry belongs to
    subgraph: str = ""
    type_name: str = ""


class CacheBackend(Protocol):
    name: str

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set_many(self, writes: Sequence[CacheWrite]) -> None: ...

    async def purge(self, tags: Sequence[str]) -> int: ...

    def gauges(self) -> dict[str, float]: ...

    async def close(self) -> None: ...
