"""Bounded LRU maps for per-operation caches (documents, plans, persisted queries).

``LRU`` bounds the number of entries. ``ByteLRU`` bounds their total size in bytes
as well: entries differ in size by a factor of thousands (a one-line query against a
27 KB document with its plans), so an entry count alone does not bound memory. A
value larger than ``max_entry_bytes`` is never kept, and an entry can grow after it
was stored (a plan compiled for a cached document), evicting older entries as needed.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class ByteLRU(Generic[K, V]):
    """Least recently used entries go first once the entries or their bytes are over budget.

    Not thread-safe: callers mutate it from the event loop only.
    """

    def __init__(self, max_bytes: int, max_entry_bytes: int, max_entries: int = 100_000) -> None:
        self.max_bytes = max(1, max_bytes)
        self.max_entry_bytes = min(max(1, max_entry_bytes), self.max_bytes)
        self.max_entries = max(1, max_entries)
        self.bytes = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep ``value``; False (and nothing kept) when it alone is over the entry cap."""
        self.discard(key)
        if size > self.max_entry_bytes:
            return False
        self._items[key] = (value, size)
        self.bytes += size
        self._evict()
        return True

    def grow(self, key: K, extra: int) -> None:
        """Account ``extra`` bytes added to a stored entry; drops it if now over the cap."""
        item = self._items.get(key)
        if item is None:
            return
        value, size = item
        size += extra
        if size > self.max_entry_bytes:
            self.discard(key)
            return
        self._items[key] = (value, size)
        self._items.move_to_end(key)  # it was just used (a plan compiled for it)
        self.bytes += extra
        self._evict()

    def discard(self, key: K) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self.bytes -= item[1]

    def _evict(self) -> None:
        while self._items and (self.bytes > self.max_bytes or len(self._items) > self.max_entries):
            _, (_, size) = self._items.popitem(last=False)
            self.bytes -= size

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items
