"""Every error code the gateway puts in ``extensions.code`` lives here.

One registry keeps codes consistent between the HTTP layer, planning,
execution and the subsystems, and makes them greppable for client authors.
The codes follow Apollo's names where Apollo has one, so client code written
against Apollo Gateway or Router keeps working.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    BAD_REQUEST = "BAD_REQUEST"
    OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
    INVALID_GRAPHQL = "INVALID_GRAPHQL"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    # a subgraph's own error, relayed with the subgraph's extensions when it gave no code
    DOWNSTREAM_SERVICE_ERROR = "DOWNSTREAM_SERVICE_ERROR"
    SUBREQUEST_HTTP_ERROR = "SUBREQUEST_HTTP_ERROR"
    SUBREQUEST_MALFORMED_RESPONSE = "SUBREQUEST_MALFORMED_RESPONSE"
    SUBREQUEST_TIMEOUT = "SUBREQUEST_TIMEOUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    IDENTITY_PROVIDER_UNAVAILABLE = "IDENTITY_PROVIDER_UNAVAILABLE"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHORIZED_FIELD_OR_TYPE = "UNAUTHORIZED_FIELD_OR_TYPE"
    DISCLOSURE_LOG_UNAVAILABLE = "DISCLOSURE_LOG_UNAVAILABLE"
    POLICY_EVALUATION_FAILED = "POLICY_EVALUATION_FAILED"
    QUERY_PLANNING_FAILED = "QUERY_PLANNING_FAILED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    URI_TOO_LONG = "URI_TOO_LONG"
    CSRF_PREVENTION = "CSRF_PREVENTION"
    # operation limits, checked before validation (aggregator/security/limits.py)
    MAX_DEPTH_LIMIT = "MAX_DEPTH_LIMIT"
    MAX_ALIASES_LIMIT = "MAX_ALIASES_LIMIT"
    MAX_ROOT_FIELDS_LIMIT = "MAX_ROOT_FIELDS_LIMIT"
    MAX_FIELDS_LIMIT = "MAX_FIELDS_LIMIT"
    MAX_DIRECTIVES_LIMIT = "MAX_DIRECTIVES_LIMIT"
    MAX_TOKENS_LIMIT = "MAX_TOKENS_LIMIT"
    # demand control (aggregator/security/cost.py)
    COST_ESTIMATED_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    # trusted documents (aggregator/security/trusted_documents.py)
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    PERSISTED_QUERY_ID_REQUIRED = "PERSISTED_QUERY_ID_REQUIRED"
    # admission (aggregator/server/admission.py, aggregator/security/ratelimit.py)
    REQUEST_RATE_LIMITED = "REQUEST_RATE_LIMITED"
    SERVER_OVERLOADED = "SERVER_OVERLOADED"
    GATEWAY_TIMEOUT = "GATEWAY_TIMEOUT"
    # subgraph resilience (aggregator/transport/resilience.py)
    SUBREQUEST_RESPONSE_TOO_LARGE = "SUBREQUEST_RESPONSE_TOO_LARGE"
    SUBREQUEST_CIRCUIT_OPEN = "SUBREQUEST_CIRCUIT_OPEN"


# The extensions key naming the backend an error came from (a subgraph, or a REST
# connector's source): Apollo's name, so clients of Apollo Gateway or Router find it.
SERVICE_NAME = "serviceName"


def graphql_error(
    message: str,
    code: ErrorCode | str,
    *,
    path: list[str | int] | None = None,
    locations: list[dict[str, int]] | None = None,
    extensions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build one spec-shaped error entry for a response's ``errors`` list."""
    error: dict[str, Any] = {"message": message}
    if locations:
        error["locations"] = locations
    if path is not None:
        error["path"] = path
    ext: dict[str, Any] = {"code": str(code)}
    if extensions:
        ext.update(extensions)
    error["extensions"] = ext
    return error
