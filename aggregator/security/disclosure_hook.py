"""Authorization's disclosures -> the hash-chained disclosure log.

Authorization knows what an operation released; the log knows how to keep it
tamper-evident. This adapter is the only place the two meet, so the log stays
plain data and authorization never learns about files. A record that cannot be
written fails the request with ``DISCLOSURE_LOG_UNAVAILABLE`` (503): nothing is
released unrecorded.
"""

from __future__ import annotations

from aggregator.errors import ErrorCode, graphql_error
from aggregator.operation import RequestError
from aggregator.security.audit import Disclosure as LogEntry
from aggregator.security.audit import DisclosureLog, DisclosureLogError
from aggregator.security.authorization import Disclosure, DisclosureHook

__all__ = ["disclosure_hook"]


def disclosure_hook(log: DisclosureLog) -> DisclosureHook:
    """A hook that writes one log record per operation that released protected data."""

    async def record(released: Disclosure) -> None:
        entry = LogEntry(
            subject=released.subject,
            agency=released.agency,
            purpose=released.purpose,
            operation_name=released.operation_name,
            operation_hash=released.operation_hash,
            coordinates=released.coordinates,
            subgraphs=released.subgraphs,
            trace_id=released.trace_id,
        )
        try:
            await log.record(entry)
        except DisclosureLogError as exc:
            raise RequestError(
                [
                    graphql_error(
                        "the disclosure log cannot record this release, so nothing was released",
                        ErrorCode.DISCLOSURE_LOG_UNAVAILABLE,
                    )
                ],
                status=503,
            ) from exc

    return record
