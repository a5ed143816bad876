"""Keep the garbage collector's pauses short on a gateway's heap.

CPython's full collection walks every tracked object, and while it runs no request
moves: with a supergraph, its API schema and planner models loaded, a full
collection took 100-250 ms here. Those objects live as long as the gateway, so once
it is built they are frozen (``gc.freeze``: never walked again) and a full
collection only walks what requests created since. A hot reload unfreezes after
the previous gateway is closed, so it can be freed, and freezes the new one.
"""

from __future__ import annotations

import gc

__all__ = ["release", "release_and_settle", "settle"]


def settle() -> None:
    """Collect what start-up left behind, then freeze the rest (it lives as long as we do)."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """At shutdown: what was frozen may be collected again (an embedding process goes on)."""
    gc.unfreeze()


def release_and_settle() -> None:
    """After a gateway was retired: let the collector free it, then freeze the new one."""
    gc.unfreeze()
    settle()
