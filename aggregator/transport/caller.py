"""Who a subgraph request is made for, as an opaque digest in-process subgraphs can bind to.

The gateway sets :data:`CALLER` for the duration of one operation (a digest of
the validated token's issuer, subject and agency; empty for anonymous callers).
In-process subgraphs never see tokens, but what they mint for the caller must
stay the caller's: a REST connector's page cursors are bound to this digest, so
a cursor handed to one person or agency is refused when another presents it.

A fetch that bound something to its caller reports it (:func:`bind_to_caller`
marks the fetch), and the in-process transport then answers ``Cache-Control:
private`` so the resolver cache keeps that answer per subject, never shared.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["CALLER", "CallerUse", "bind_to_caller", "caller_digest", "tracking_caller_use"]

CALLER: ContextVar[str] = ContextVar("aggregator_caller", default="")


@dataclass(slots=True)
class CallerUse:
    """Set by whatever bound its output to the caller during one in-process fetch."""

    bound: bool = False


_USE: ContextVar[CallerUse | None] = ContextVar("aggregator_caller_use", default=None)


def caller_digest(issuer: str, subject: str, agency: str | None) -> str:
    """A stable, opaque name for one caller (no token material, no personal data in clear)."""
    raw = "\0".join((issuer, subject, agency or ""))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def bind_to_caller() -> str:
    """The current caller's digest, recording that this fetch's answer is the caller's own."""
    caller = CALLER.get()
    use = _USE.get()
    if use is not None and caller:
        use.bound = True
    return caller


@contextlib.contextmanager
def tracking_caller_use() -> Iterator[CallerUse]:
    """Around one in-process fetch: tells whether its answer was bound to the caller."""
    use = CallerUse()
    token = _USE.set(use)
    try:
        yield use
    finally:
        _USE.reset(token)
