"""A subgraph that lives in this process: a graphql-core or strawberry schema.

Agencies that ship Python (strawberry modules) and REST connectors run inside
the gateway, so a fetch to them is a function call, not an HTTP hop. The
executor cannot tell the difference: failures come back as GraphQL errors in
the response, never as exceptions, exactly like the HTTP transport.

Every fetch gets a fresh context dict (``{"headers": ..., "request": ...}``);
per-request state such as dataloaders hangs off it, so nothing one caller
loaded is ever visible to another.
"""

from __future__ import annotations

import copy
import importlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    execute,
    parse,
    validate,
)

from aggregator.errors import ErrorCode, graphql_error
from aggregator.transport.base import SubgraphRequest, SubgraphResponse
from aggregator.transport.caller import tracking_caller_use

__all__ = ["InProcessSubgraph", "load_python_subgraph"]

_log = logging.getLogger(__name__)
_PARSE_CACHE_SIZE = 512


def _graphql_schema(schema: Any) -> GraphQLSchema:
    if isinstance(schema, GraphQLSchema):
        return schema
    inner = getattr(schema, "_schema", None)  # strawberry.Schema keeps its graphql-core schema here
    if isinstance(inner, GraphQLSchema):
        return inner
    raise TypeError(f"expected a graphql-core or strawberry schema, got {type(schema).__name__}")


class InProcessSubgraph:
    """Runs subgraph requests against a schema in this process."""

    def __init__(self, name: str, schema: Any) -> None:
        self.name = name
        self.schema = _graphql_schema(schema)
        # document text -> (parsed document, validation errors); bounded LRU.
        self._documents: OrderedDict[str, tuple[DocumentNode | None, list[GraphQLError]]] = (
            OrderedDict()
        )

    def _document(self, query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
        cached = self._documents.get(query)
        if cached is not None:
            self._documents.move_to_end(query)
            return cached
        try:
            document: DocumentNode | None = parse(query)
        except GraphQLError as error:
            entry: tuple[DocumentNode | None, list[GraphQLError]] = (None, [error])
        else:
            assert document is not None
            entry = (document, list(validate(self.schema, document)))
        self._documents[query] = entry
        if len(self._documents) > _PARSE_CACHE_SIZE:
            self._documents.popitem(last=False)
        return entry

    async def fetch(self, request: SubgraphRequest) -> SubgraphResponse:
        document, problems = self._document(request.query)
        if document is None:
            return SubgraphResponse(
                data=None,
                errors=[_error_dict(e, ErrorCode.GRAPHQL_PARSE_FAILED) for e in problems],
                status=400,
            )
        if problems:
            return SubgraphResponse(
                data=None,
                errors=[_error_dict(e, ErrorCode.GRAPHQL_VALIDATION_FAILED) for e in problems],
                status=400,
            )
        context: dict[str, Any] = {"headers": dict(request.headers), "request": request}
        # A JSON round trip gives the subgraph its own copy, as HTTP would: strawberry's
        # _entities pops "__typename" from representations, which must not touch the caller's.
        variables = _own_copy(request.variables)
        try:
            with tracking_caller_use() as use:
                outcome = execute(
                    self.schema,
                    document,
                    variable_values=variables,
                    operation_name=request.operation_name,
                    context_value=context,
                )
                result = await outcome if isinstance(outcome, Awaitable) else outcome
        except Exception:  # a bug in a resolver module must not take the gateway down
            _log.exception("in-process subgraph %s failed", self.name)
            return SubgraphResponse(
                data=None,
                errors=[
                    graphql_error(f"Subgraph '{self.name}' failed", ErrorCode.INTERNAL_SERVER_ERROR)
                ],
                status=500,
            )
        errors = [_error_dict(e, None) for e in result.errors or ()]
        return SubgraphResponse(
            data=result.data,
            errors=errors,
            extensions=result.extensions,
            # bound to its caller (page cursors): the cache keeps it per subject only
            cache_control="private" if use.bound else None,
        )

    async def close(self) -> None:
        self._documents.clear()


def _own_copy(variables: dict[str, Any] | None) -> dict[str, Any] | None:
    if not variables:
        return None
    try:
        copied: dict[str, Any] = orjson.loads(orjson.dumps(variables))
    except TypeError:  # not JSON-shaped (a caller passing Python objects): copy it as it is
        copied = copy.deepcopy(variables)
    return copied


def _error_dict(error: GraphQLError, default_code: ErrorCode | None) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        if default_code is not None:
            extensions["code"] = str(default_code)
        elif error.original_error is not None and not isinstance(
            error.original_error, GraphQLError
        ):
            # An unexpected exception inside a resolver: the message is kept (as strawberry
            # would serve it over HTTP) and the traceback goes to the log, not the client.
            _log.error("resolver error at %s", error.path, exc_info=error.original_error)
            extensions["code"] = str(ErrorCode.INTERNAL_SERVER_ERROR)
    if extensions:
        formatted["extensions"] = extensions
    return formatted


def load_python_subgraph(name: str, target: str) -> InProcessSubgraph:
    """Import ``package.module:attribute`` (a strawberry or graphql-core schema) as a subgraph.

    This is how a config file names a Python agency module: the same module can
    also be served on its own over HTTP with ``strawberry.asgi.GraphQL(schema)``.
    """
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return InProcessSubgraph(name, getattr(module, attribute or "schema"))
