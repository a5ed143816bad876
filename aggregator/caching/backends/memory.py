"""The default backend: entries in this process, bounded in bytes, least recently used out.

Bounded in bytes rather than entries because entries range from a 40-byte
enum list to megabyte-sized root fetches: a count bound would either waste
memory or blow it. Each entry is charged its key, value and tag names plus a
fixed overhead for the dict and index slots. Expired entries are dropped
when read or when the LRU end is trimmed.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aggregator.caching.backends.base import CacheWrite

__all__ = ["MemoryBackend"]

# per-entry bookkeeping beyond key and value: the dict slot, the entry object, index sets
ENTRY_OVERHEAD = 200


@dataclass(slots=True)
class _Entry:
    value: bytes
    expires_at: float
    size: int
    tags: tuple[str, ...]
    subgraph: str
    type_name: str


class MemoryBackend:
    name = "memory"

    def __init__(
        self,
        max_bytes: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[str, str], None] | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.clock = clock
        self.on_evict = on_evict
        self.bytes = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._tags: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get_now(self, keys: Sequence[str]) -> list[bytes | None]:
        """The lookup itself; synchronous, so the hot path need not await."""
        now = self.clock()
        out: list[bytes | None] = []
        entries = self._entries
        for key in keys:
            entry = entries.get(key)
            if entry is None:
                out.append(None)
            elif entry.expires_at <= now:
                self._remove(key)
                out.append(None)
            else:
                entries.move_to_end(key)
                out.append(entry.value)
        return out

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return self.get_now(keys)

    def set_now(self, writes: Sequence[CacheWrite]) -> None:
        now = self.clock()
        for write in writes:
            size = len(write.key) + len(write.value) + sum(map(len, write.tags)) + ENTRY_OVERHEAD
            if size > self.max_bytes // 4:
                continue  # one entry may not push out a quarter of the cache
            if write.key in self._entries:
                self._remove(write.key)
            self._entries[write.key] = _Entry(
                write.value, now + write.ttl_s, size, write.tags, write.subgraph, write.type_name
            )
            self.bytes += size
            for tag in write.tags:
                self._tags.setdefault(tag, set()).add(write.key)
        self._trim(now)

    async def set_many(self, writes: Sequence[CacheWrite]) -> None:
        self.set_now(writes)

    def _remove(self, key: str) -> _Entry | None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self.bytes -= entry.size
        for tag in entry.tags:
            members = self._tags.get(tag)
            if members is not None:
                members.discard(key)
                if not members:
                    del self._tags[tag]
        return entry

    def _trim(self, now: float) -> None:
        while self.bytes > self.max_bytes and self._entries:
            key, entry = next(iter(self._entries.items()))
            self._remove(key)
            if entry.expires_at > now and self.on_evict is not None:
                self.on_evict(entry.subgraph, entry.type_name)

    def purge_now(self, tags: Sequence[str]) -> int:
        keys: set[str] = set()
        for tag in tags:
            keys.update(self._tags.get(tag, ()))
        removed = 0
        for key in keys:
            if self._remove(key) is not None:
                removed += 1
        return removed

    async def purge(self, tags: Sequence[str]) -> int:
        return self.purge_now(tags)

    def gauges(self) -> dict[str, float]:
        return {"bytes": float(self.bytes), "entries": float(len(self._entries)), "up": 1.0}

    async def close(self) -> None:
        self._entries.clear()
        self._tags.clear()
        self.bytes = 0
