"""The endpoint behind GraphiQL's query-plan panel.

The panel posts ``{"query", "operationName"}`` and shows the printed plan the
gateway would run. Plans reveal which agency backends serve which fields, so
the app mounts this only where its config allows exposing plans. Bad input
and operations that fail to parse, validate or plan come back as GraphQL
errors with ``extensions.code``, never as a stack trace.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError

from aggregator.errors import ErrorCode, graphql_error

PlanFunction = Callable[[str, str | None], Any | Awaitable[Any]]

MAX_PLAN_REQUEST_BYTES = 256 * 1024

_log = logging.getLogger(__name__)
_JSON_HEADERS = {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}


def _answer(status: int, payload: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
    return status, json.dumps(payload).encode("utf-8"), dict(_JSON_HEADERS)


def _error(status: int, message: str, code: ErrorCode) -> tuple[int, bytes, dict[str, str]]:
    return _answer(status, {"errors": [graphql_error(message, code)]})


class _BadPlanRequest(Exception):
    def __init__(self, message: str, code: ErrorCode = ErrorCode.BAD_REQUEST, status: int = 400):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def _parse_request(body: bytes) -> tuple[str, str | None]:
    """The query and operation name of a plan request body."""
    if len(body) > MAX_PLAN_REQUEST_BYTES:
        raise _BadPlanRequest(
            f"Plan requests are limited to {MAX_PLAN_REQUEST_BYTES} bytes",
            ErrorCode.PAYLOAD_TOO_LARGE,
            413,
        )
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        raise _BadPlanRequest("The body must be a JSON object")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _BadPlanRequest("'query' must be a non-empty string")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _BadPlanRequest("'operationName' must be a string or null")
    return query, operation_name or None


async def plan_response(body: bytes, plan: PlanFunction) -> tuple[int, bytes, dict[str, str]]:
    """Answer one plan request: status, JSON body ``{"plan": text}`` or ``{"errors"}``, headers.

    ``plan(query, operation_name)`` is the gateway's planner (``Gateway.plan``);
    it may return the plan or an awaitable of it, and ``str(plan)`` is shown.
    """
    try:
        query, operation_name = _parse_request(body)
    except _BadPlanRequest as bad:
        return _error(bad.status, bad.message, bad.code)
    try:
        result = plan(query, operation_name)
        if inspect.isawaitable(result):
            result = await result
    except GraphQLSyntaxError as exc:
        return _error(400, exc.message, ErrorCode.GRAPHQL_PARSE_FAILED)
    except GraphQLError as exc:
        code = (exc.extensions or {}).get("code") or ErrorCode.GRAPHQL_VALIDATION_FAILED
        return _answer(400, {"errors": [graphql_error(exc.message, str(code))]})
    except Exception:
        _log.exception("planning failed for operation %r", operation_name)
        return _error(500, "The gateway could not plan this operation",
                      ErrorCode.QUERY_PLANNING_FAILED)
    return _answer(200, {"plan": str(result)})
