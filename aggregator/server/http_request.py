"""GraphQL-over-HTTP request parsing and content negotiation.

Each function answers one question of the spec (which media type to send,
what the GraphQL parameters are) and raises :class:`HttpError` with the
status the spec asks for, so the ASGI app stays a thin dispatcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson

from aggregator.errors import ErrorCode, graphql_error

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


class HttpError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: ErrorCode,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"errors": [graphql_error(message, code)]}
        self.headers = headers or {}


@dataclass(slots=True)
class GraphQLParams:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    # a trusted document's id in Relay's or the GraphQL-over-HTTP draft's spelling
    document_id: str | None = None


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def negotiate(accept: str | None) -> str:
    """The response media type; a request without Accept gets application/json."""
    if not accept:
        return JSON
    best: tuple[float, int, str] | None = None
    for media, quality in _media_ranges(accept):
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            candidate = (quality, 2, GRAPHQL_RESPONSE_JSON)
        elif media == JSON:
            candidate = (quality, 1, JSON)
        elif media in ("*/*", "application/*"):
            candidate = (quality, 0, JSON)
        else:
            continue
        if best is None or candidate > best:
            best = candidate
    if best is None:
        raise HttpError(
            406,
            f"none of the accepted media types is supported; use {GRAPHQL_RESPONSE_JSON} or {JSON}",
            ErrorCode.NOT_ACCEPTABLE,
        )
    return best[2]


def _object_or_none(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise HttpError(400, f"`{name}` must be a JSON object", ErrorCode.BAD_REQUEST)
    return value


def params_from_mapping(payload: Any) -> GraphQLParams:
    if not isinstance(payload, dict):
        raise HttpError(
            400,
            "the request body must be a JSON object with a `query` string (batching is not "
            "supported)",
            ErrorCode.BAD_REQUEST,
        )
    query = payload.get("query")
    extensions = _object_or_none(payload.get("extensions"), "extensions")
    relay_id = payload.get("documentId", payload.get("doc_id"))
    if relay_id is not None and not isinstance(relay_id, str):
        raise HttpError(400, "`documentId` must be a string", ErrorCode.BAD_REQUEST)
    # a persisted query or trusted document may come without its text (see persisted.py)
    document_optional = query is None and (
        bool(relay_id) or (extensions is not None and "persistedQuery" in extensions)
    )
    if not document_optional and (not isinstance(query, str) or not query.strip()):
        raise HttpError(
            400, "GraphQL operations must contain a non-empty `query` string", ErrorCode.BAD_REQUEST
        )
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HttpError(400, "`operationName` must be a string", ErrorCode.BAD_REQUEST)
    return GraphQLParams(
        query=query or "",
        variables=_object_or_none(payload.get("variables"), "variables"),
        operation_name=operation_name or None,
        extensions=extensions,
        document_id=relay_id or None,
    )


def params_from_body(body: bytes, content_type: str | None) -> GraphQLParams:
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in (JSON, GRAPHQL_RESPONSE_JSON) and not media.endswith("+json"):
        raise HttpError(
            415,
            f"POST requests must have content-type {JSON}",
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        )
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HttpError(400, "the request body is not valid JSON", ErrorCode.BAD_REQUEST) from None
    return params_from_mapping(payload)


def params_from_query_string(query_string: bytes) -> GraphQLParams:
    try:
        parsed = parse_qs(query_string.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise HttpError(400, "the query string is not valid UTF-8", ErrorCode.BAD_REQUEST) from None
    payload: dict[str, Any] = {k: v[-1] for k, v in parsed.items()}
    for key in ("variables", "extensions"):
        raw = payload.get(key)
        if raw in (None, ""):
            payload[key] = None
            continue
        try:
            payload[key] = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise HttpError(400, f"`{key}` is not valid JSON", ErrorCode.BAD_REQUEST) from None
    return params_from_mapping(payload)
