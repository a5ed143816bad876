"""Garbage-collector settings for a serving process.

A request allocates thousands of dicts and lists (decoded subgraph answers, the
merged data, the client's response) and frees them by reference counting: they
form trees, not cycles. With CPython's default thresholds the cyclic collector
still runs every 700 allocations and, under load, keeps traversing every
in-flight request's objects and the long-lived ones (the schema, plans, modules):
16% of a saturated worker's CPU on the federation benchmark (py-spy, native
frames). A serving worker therefore freezes what it built at start-up (never
traversed again) and collects the youngest generation after many more
allocations; cycles are still collected, only less often. (``heap.settle`` freezes
again once the lifespan has built the gateway, and hot reload unfreezes to free the
retired one: see server/heap.py.)
"""

from __future__ import annotations

import gc

# allocations (minus deallocations) of container objects between young collections
YOUNG_THRESHOLD = 50_000


def tune_for_serving() -> None:
    """Call once per worker, after the app is built and before serving."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
