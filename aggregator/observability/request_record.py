"""What one HTTP request did, gathered while it runs, for its access-log record.

The access-log middleware opens a :class:`RequestRecord` in a context
variable; pipeline stages running in the same task (or in tasks it spawns,
which copy the context) add to it through the ``note_*`` functions. Each is
a no-op outside a request, so the pipeline can call them unconditionally.
The record holds only what may be logged: never headers, tokens, variables
or response data.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aggregator.errors import ErrorCode
from aggregator.observability.metrics import metrics

__all__ = [
    "RequestRecord",
    "current_record",
    "note_document",
    "note_errors",
    "note_operation",
    "note_span",
    "note_subgraph_request",
    "open_record",
]

# subgraph failures reported by the transports; anything else is the subgraph's own error
_TRANSPORT_CODES = frozenset(
    {
        str(ErrorCode.SUBREQUEST_HTTP_ERROR),
        str(ErrorCode.SUBREQUEST_TIMEOUT),
        str(ErrorCode.SUBREQUEST_MALFORMED_RESPONSE),
    }
)


@dataclass(slots=True)
class RequestRecord:
    subgraph_requests: int = 0
    trace_id: str | None = None
    document: str | None = None
    operation_name: str | None = None
    operation_type: str | None = None
    errors: int | None = None


_current: ContextVar[RequestRecord | None] = ContextVar("aggregator_request", default=None)


def open_record() -> RequestRecord:
    record = RequestRecord()
    _current.set(record)
    return record


def current_record() -> RequestRecord | None:
    return _current.get()


def note_document(query: str | None, operation_name: str | None) -> None:
    record = _current.get()
    if record is not None:
        record.document = query
        record.operation_name = operation_name


def note_operation(kind: str, name: str | None) -> None:
    record = _current.get()
    if record is not None:
        record.operation_type = kind
        if name is not None:
            record.operation_name = name


def note_errors(count: int) -> None:
    record = _current.get()
    if record is not None:
        record.errors = count


def note_span(span: Any) -> None:
    """Remember the trace id of the request's execution span (client's or ours)."""
    record = _current.get()
    if record is not None:
        context = span.get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")


def note_subgraph_request(name: str, seconds: float, errors: list[dict[str, Any]]) -> None:
    """One subgraph request finished: count it for the request and in the metrics."""
    record = _current.get()
    if record is not None:
        record.subgraph_requests += 1
    if metrics.sinks:
        metrics.subgraph_request(name, seconds, _error_type(errors))


def _error_type(errors: list[dict[str, Any]]) -> str | None:
    if not errors:
        return None
    first = errors[0]
    extensions = first.get("extensions") if isinstance(first, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return code if code in _TRANSPORT_CODES else "graphql"
