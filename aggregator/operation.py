"""Parse + validate client documents against the API schema, cached by text.

The same few operations arrive over and over; caching the parsed and
validated document (or its errors) by its text takes parsing and validation
off the per-request path entirely.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse, validate
from graphql.language import DocumentNode, OperationDefinitionNode

from aggregator.errors import ErrorCode, graphql_error
from aggregator.lru import LRU
from aggregator.observability import SPAN_PARSE, SPAN_VALIDATE, tracer
from aggregator.observability.metrics import metrics
from aggregator.planning.normalize import condition_variables
from aggregator.planning.planner import fragments_of
from aggregator.validation_rules import VALIDATION_RULES


class RequestError(Exception):
    """A client mistake found before execution; carries spec-shaped errors."""

    def __init__(self, errors: list[dict[str, Any]], status: int = 400) -> None:
        super().__init__(errors[0]["message"] if errors else "bad request")
        self.errors = errors
        self.status = status


_SINGLE_QUOTED = re.compile(r"'([^']*)'")


def js_message(message: str) -> str:
    """graphql-core quotes names with ' where graphql-js (and so every JS gateway) uses ".

    Clients and tests match on these messages, so we speak graphql-js's dialect.
    """
    return _SINGLE_QUOTED.sub(r'"\1"', message)


_UNKNOWN_INPUT_FIELD = re.compile(
    r'^Expected value of type "([^"]+)" not to include unknown field "([^"]+)".*$'
)
_NOT_PROVIDED = re.compile(
    r'^Variable "\$([^"]+)" has invalid value: Expected a value of non-null type "([^"]+)" '
    r"to be provided\.$"
)
_INVALID_VARIABLE = re.compile(r'^Variable "\$([^"]+)" has invalid value: (.*)$', re.S)


def graphql_js_wording(message: str, variables: dict[str, Any] | None = None) -> str:
    """graphql-core 3.3 words a few errors like graphql-js 17; gateways (and clients)
    speak graphql-js 16, so those are reworded."""
    message = js_message(message)
    match = _UNKNOWN_INPUT_FIELD.match(message)
    if match:
        return f'Field "{match.group(2)}" is not defined by type "{match.group(1)}".'
    match = _NOT_PROVIDED.match(message)
    if match:
        return f'Variable "${match.group(1)}" of required type "{match.group(2)}" was not provided.'
    match = _INVALID_VARIABLE.match(message)
    if match and variables is not None and match.group(1) in variables:
        value = json.dumps(variables[match.group(1)], separators=(",", ":"))
        return f'Variable "${match.group(1)}" got invalid value {value}; {match.group(2)}'
    return message


def located_error(
    error: GraphQLError, code: ErrorCode, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    locations = [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]
    message = graphql_js_wording(error.message, variables)
    return graphql_error(message, code, locations=locations or None)


@dataclass(slots=True)
class ParsedDocument:
    document: DocumentNode | None
    errors: list[dict[str, Any]]
    operations: dict[str | None, OperationInfo] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OperationInfo:
    document: DocumentNode
    operation: OperationDefinitionNode
    kind: str
    name: str | None
    conditions: tuple[str, ...]
    # compiled plans by @skip/@include values, active override labels and granted
    # authorization requirements (and the normalised operation by @skip/@include values);
    # they live and die with the cached document
    plans: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False)


class DocumentCache:
    def __init__(
        self, schema: GraphQLSchema, capacity: int = 2000, max_tokens: int = 15000
    ) -> None:
        self.schema = schema
        self.max_tokens = max_tokens
        self._cache: LRU[str, ParsedDocument] = LRU(capacity)

    def parsed(self, query: str) -> ParsedDocument:
        cached = self._cache.get(query)
        if metrics.sinks:
            metrics.cache("document", cached is not None)
        if cached is not None:
            return cached
        try:
            with tracer.start_as_current_span(SPAN_PARSE):
                document = parse(query, no_location=False, max_tokens=self.max_tokens)
        except GraphQLError as exc:
            parsed = ParsedDocument(None, [located_error(exc, ErrorCode.GRAPHQL_PARSE_FAILED)])
        else:
            with tracer.start_as_current_span(SPAN_VALIDATE):
                errors = validate(self.schema, document, VALIDATION_RULES)
            parsed = ParsedDocument(
                document if not errors else None,
                [located_error(e, ErrorCode.GRAPHQL_VALIDATION_FAILED) for e in errors],
            )
        self._cache.put(query, parsed)
        return parsed

    def operation(self, query: str, operation_name: str | None) -> OperationInfo:
        parsed = self.parsed(query)
        if parsed.document is None:
            raise RequestError(parsed.errors)
        info = parsed.operations.get(operation_name)
        if info is not None:
            return info
        document = parsed.document
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen: OperationDefinitionNode | None = None
        if operation_name is None:
            if len(operations) != 1:
                raise RequestError(
                    [
                        graphql_error(
                            "Must provide operation name if query contains multiple operations.",
                            ErrorCode.INVALID_GRAPHQL,
                        )
                    ]
                )
            chosen = operations[0]
        else:
            chosen = next(
                (o for o in operations if o.name and o.name.value == operation_name), None
            )
            if chosen is None:
                raise RequestError(
                    [
                        graphql_error(
                            f'Unknown operation named "{operation_name}".',
                            ErrorCode.INVALID_GRAPHQL,
                        )
                    ]
                )
        conditions = tuple(
            sorted(condition_variables(chosen.selection_set, fragments_of(document)))
        )
        info = OperationInfo(
            document=document,
            operation=chosen,
            kind=chosen.operation.value,
            name=chosen.name.value if chosen.name else None,
            conditions=conditions,
        )
        parsed.operations[operation_name] = info
        return info
