"""What of a subgraph's errors reaches the client: a policy per subgraph.

Subgraph errors are written for the agency's own developers: stack traces in
``extensions.stacktrace``, exception text with database hosts, internal URLs. A
gateway in production passes on only what its policy allows, and the full error
goes to the log with the trace id, so an operator can still find it:

- ``pass_through``: the error as the subgraph sent it (development).
- ``message_and_code``: the message (URLs and host:port scrubbed), ``path`` and
  ``extensions.code``; every other extension dropped.
- ``generic``: "Subgraph errors redacted", with ``path`` and a code-like
  ``extensions.code`` only (production default).

The gateway's own transport errors (connection refused, timeouts, bodies that are
not GraphQL) are worded by the gateway, but aiohttp's text names hosts and ports:
outside ``pass_through`` they keep only the subgraph's name and the HTTP status.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from typing import Any

import orjson
from opentelemetry import trace

from aggregator.errors import ErrorCode

__all__ = ["REDACTED_MESSAGE", "ErrorPolicy", "current_trace_id", "redact_errors"]

log = logging.getLogger("aggregator.subgraph_errors")

REDACTED_MESSAGE = "Subgraph errors redacted"

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_HOST_PORT = re.compile(
    r"\b(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*):\d{2,5}\b"
)
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_DETAIL_LOG_LIMIT = 4000


class ErrorPolicy(StrEnum):
    PASS_THROUGH = "pass_through"
    MESSAGE_AND_CODE = "message_and_code"
    GENERIC = "generic"


def current_trace_id() -> str | None:
    """The W3C trace id of the running span, when tracing is on."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def scrub(message: str) -> str:
    """The message without URLs, host:port pairs and IPv4 addresses."""
    message = _URL.sub("[url]", message)
    message = _HOST_PORT.sub("[address]", message)
    return _IPV4.sub("[address]", message)


def _code(error: dict[str, Any]) -> str | None:
    extensions = error.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return code if isinstance(code, str) and _CODE.match(code) else None


def _gateway_message(service: str, error: dict[str, Any]) -> str:
    """The gateway's wording of its own transport error, without aiohttp's text."""
    code = _code(error)
    extensions = error.get("extensions")
    http = extensions.get("http") if isinstance(extensions, dict) else None
    status = http.get("status") if isinstance(http, dict) else None
    if code == ErrorCode.SUBREQUEST_TIMEOUT:
        return f"Request to subgraph '{service}' timed out"
    if code == ErrorCode.SUBREQUEST_MALFORMED_RESPONSE:
        return f"Invalid GraphQL response from '{service}'"
    if code == ErrorCode.SUBREQUEST_RESPONSE_TOO_LARGE:
        return f"The response of '{service}' is over the size limit"
    if code == ErrorCode.SUBREQUEST_CIRCUIT_OPEN:
        return str(error.get("message", ""))  # worded by the breaker, nothing internal
    if isinstance(status, int):
        return f"HTTP fetch failed from '{service}': {status}"
    return f"HTTP fetch failed from '{service}'"


def redact_errors(
    errors: list[dict[str, Any]],
    policy: ErrorPolicy,
    service: str,
    *,
    from_gateway: bool = False,
) -> list[dict[str, Any]]:
    """``errors`` as ``policy`` lets them through; what was held back is logged."""
    if policy is ErrorPolicy.PASS_THROUGH or not errors:
        return errors
    out: list[dict[str, Any]] = []
    for error in errors:
        code = _code(error)
        if from_gateway:
            message = _gateway_message(service, error)
        elif policy is ErrorPolicy.GENERIC:
            message = REDACTED_MESSAGE
        else:
            message = scrub(str(error.get("message", "")))
        redacted: dict[str, Any] = {"message": message}
        path = error.get("path")
        if isinstance(path, list):
            redacted["path"] = path
        extensions: dict[str, Any] = {"code": code or str(ErrorCode.DOWNSTREAM_SERVICE_ERROR)}
        if from_gateway:
            extensions["serviceName"] = service
            http = (error.get("extensions") or {}).get("http")
            if isinstance(http, dict) and isinstance(http.get("status"), int):
                extensions["http"] = {"status": http["status"]}
        redacted["extensions"] = extensions
        out.append(redacted)
        if redacted != error:
            detail = orjson.dumps(error).decode(errors="replace")[:_DETAIL_LOG_LIMIT]
            log.warning(
                "subgraph %s error redacted for the client (trace %s): %s",
                service,
                current_trace_id() or "-",
                detail,
            )
    return out
