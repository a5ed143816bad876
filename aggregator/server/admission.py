"""Admission: how many requests run at once, and how long one may take.

Past ``max_concurrent_requests`` a request is answered at once with 503 and
``Retry-After`` instead of queueing: a queue hides overload until every client
times out, a fast 503 lets load balancers and clients back off. The limit is per
process (per uvicorn worker). ``request_timeout_s`` is the overall deadline of one
request, parse to response: on expiry every subgraph fetch still running for it is
cancelled and the client gets 504 ``GATEWAY_TIMEOUT``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aggregator.errors import ErrorCode

__all__ = ["Admission", "Overloaded"]

RETRY_AFTER_S = 1


class Overloaded(Exception):
    status = 503
    code = ErrorCode.SERVER_OVERLOADED
    message = "The gateway is at its limit of concurrent requests; retry shortly."


class Admission:
    def __init__(self, max_concurrent: int | None) -> None:
        self.max_concurrent = max_concurrent
        self.in_flight = 0
        self.refused = 0

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the slots for the block; raises :class:`Overloaded` when none is free."""
        if self.max_concurrent is not None and self.in_flight >= self.max_concurrent:
            self.refused += 1
            raise Overloaded
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
