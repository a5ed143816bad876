"""Parse, limit-check and validate client documents against the API schema, cached by text.

The same few operations arrive over and over; caching the parsed and
validated document (or its errors) by its text takes parsing and validation
off the per-request path entirely. The cache is bounded by bytes, not entries:
a cached document with its plans costs from kilobytes to megabytes (about 24
bytes per character of text, plus a few hundred per planned field).

:meth:`DocumentCache.compute` is pure, so the gateway may run it off the event
loop for large documents; only :meth:`DocumentCache.store` touches the cache.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse
from graphql.language import DocumentNode, OperationDefinitionNode
from graphql.language.parser import Parser

from aggregator.errors import ErrorCode, graphql_error
from aggregator.execution.projection import COMPILE_BUDGET_FIELDS
from aggregator.lru import ByteLRU
from aggregator.observability import SPAN_PARSE, SPAN_VALIDATE, tracer
from aggregator.observability.metrics import metrics
from aggregator.planning.normalize import condition_variables
from aggregator.planning.planner import fragments_of
from aggregator.security.limits import (
    DocumentMeasure,
    LimitedParser,
    LimitExceeded,
    OperationLimits,
    limit_errors,
    measure_document,
)
from aggregator.security.limits import log as limits_log
from aggregator.validation import validate_document

MiB = 1024 * 1024
# estimates of what a cached document and a compiled plan hold (measured with tracemalloc,
# see tests/gateway/test_document_memory.py)
BYTES_PER_DOCUMENT_CHAR = 24
BYTES_PER_PLANNED_FIELD = 400
# a compiled projection function's share per field (aggregator/execution/projection_code.py),
# for at most the fields a projection compiles
BYTES_PER_COMPILED_FIELD = 640
ENTRY_OVERHEAD_BYTES = 2048
_TOKENS_MESSAGE = "Document contains more than"  # and then "N tokens"


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
# a scalar's own code raised something other than a GraphQLError (Python's int() on a
# 5000-digit literal, a custom scalar's bug): its text is an internal, never the client's
_ENCOUNTERED_ERROR = re.compile(
    r"^(.*Expected value of type '[^']+'), but encountered error '.*'; found", re.S
)


def graphql_js_wording(message: str, variables: dict[str, Any] | None = None) -> str:
    """graphql-core 3.3 words a few errors like graphql-js 17; gateways (and clients)
    speak graphql-js 16, so those are reworded."""
    message = js_message(_ENCOUNTERED_ERROR.sub(r"\1, found", message))
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
    own = (error.extensions or {}).get("code")  # a rule that names its own code keeps it
    return graphql_error(message, own or code, locations=locations or None)


@dataclass(frozen=True, slots=True)
class DocumentPolicy:
    """What a document must pass before planning, and how many bytes of them to keep."""

    limits: OperationLimits = field(default_factory=OperationLimits)
    introspection: bool = True
    # "Did you mean ...?" in validation and variable errors (they reveal the schema)
    suggestions: bool = True
    cache_bytes: int = 64 * MiB
    max_entry_bytes: int = 8 * MiB
    max_entries: int = 2000
    # documents longer than this are parsed, validated and planned off the event loop
    offload_chars: int = 512
    # worker processes that check large documents (0: a thread of this process; see
    # aggregator/document_workers.py for why a server wants one)
    processes: int = 0


@dataclass(slots=True)
class ParsedDocument:
    document: DocumentNode | None
    errors: list[dict[str, Any]]
    operations: dict[str | None, OperationInfo] = field(default_factory=dict)
    measure: DocumentMeasure = field(default_factory=DocumentMeasure)
    size: int = ENTRY_OVERHEAD_BYTES


def parse_document(
    query: str, max_tokens: int | None, limits: OperationLimits | None = None
) -> DocumentNode:
    """The document without source locations, leaving no garbage cycles behind.

    Without locations a document is a third of the objects and memory (no token list
    kept). graphql-core's lexer links every token to the previous and next one; those
    cycles would wait for a full garbage collection, which stops every request while
    it walks the heap. Unlinking them lets reference counting free the tokens at once.
    With ``limits``, parsing stops at the first limit a definition crosses
    (:class:`LimitExceeded`).
    """
    parser = (
        LimitedParser(query, limits, no_location=True, max_tokens=max_tokens)
        if limits is not None and not limits.warn_only
        else Parser(query, no_location=True, max_tokens=max_tokens)
    )
    try:
        try:
            return parser.parse_document()
        except RecursionError:
            pass  # graphql-core words this one ("nested too deeply"): asked below
    finally:
        token = getattr(getattr(parser, "_lexer", None), "token", None)
        while token is not None:
            previous = token.prev
            token.prev = token.next = None
            token = previous
    return parse(query, no_location=True, max_tokens=max_tokens)


def plan_bytes(info: OperationInfo) -> int:
    """The estimated size of one compiled plan of ``info``, with the projection functions
    it compiles when it first answers."""
    compiled = BYTES_PER_COMPILED_FIELD * min(info.fields, COMPILE_BUDGET_FIELDS)
    return ENTRY_OVERHEAD_BYTES + BYTES_PER_PLANNED_FIELD * info.fields + compiled


@dataclass(frozen=True, slots=True)
class OperationInfo:
    document: DocumentNode
    operation: OperationDefinitionNode
    kind: str
    name: str | None
    conditions: tuple[str, ...]
    # the cache key of the document, and its size after fragment expansion
    query: str = field(default="", compare=False)
    fields: int = 0
    # compiled plans by @skip/@include values, active override labels and granted
    # authorization requirements (and the normalised operation by @skip/@include values);
    # they live and die with the cached document
    plans: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False)
    # demand control estimates by the values of the variables that size lists
    costs: dict[Any, Any] = field(default_factory=dict, compare=False)


class DocumentCache:
    def __init__(self, schema: GraphQLSchema, policy: DocumentPolicy | None = None) -> None:
        self.schema = schema
        self.policy = policy or DocumentPolicy()
        self._cache: ByteLRU[str, ParsedDocument] = ByteLRU(
            self.policy.cache_bytes, self.policy.max_entry_bytes, self.policy.max_entries
        )

    @property
    def bytes(self) -> int:
        return self._cache.bytes

    def __len__(self) -> int:
        return len(self._cache)

    def cached(self, query: str) -> ParsedDocument | None:
        return self._cache.get(query)

    def parsed(self, query: str) -> ParsedDocument:
        cached = self._cache.get(query)
        if metrics.sinks:
            metrics.cache("document", cached is not None)
        if cached is not None:
            return cached
        parsed = self.compute(query)
        self.store(query, parsed)
        return parsed

    def store(self, query: str, parsed: ParsedDocument) -> None:
        self._cache.put(query, parsed, parsed.size)

    def account(self, info: OperationInfo, extra: int) -> None:
        """A plan was compiled for a cached document: its entry holds ``extra`` more bytes."""
        self._cache.grow(info.query, extra)

    def checked(self, query: str, measure: DocumentMeasure) -> ParsedDocument:
        """A document a worker already found valid: parsed here, not validated again."""
        return ParsedDocument(
            parse_document(query, None),
            [],
            measure=measure,
            size=ENTRY_OVERHEAD_BYTES + BYTES_PER_DOCUMENT_CHAR * len(query),
        )

    def compute(self, query: str) -> ParsedDocument:
        """Parse, check limits, validate; pure, so any thread may run it."""
        limits = self.policy.limits
        size = ENTRY_OVERHEAD_BYTES + BYTES_PER_DOCUMENT_CHAR * len(query)
        try:
            with tracer.start_as_current_span(SPAN_PARSE):
                document = self._parse(query, limits)
        except LimitExceeded as exc:
            return ParsedDocument(None, exc.errors, size=size)
        except GraphQLError as exc:
            code = (
                ErrorCode.MAX_TOKENS_LIMIT
                if _TOKENS_MESSAGE in exc.message
                else ErrorCode.GRAPHQL_PARSE_FAILED
            )
            return ParsedDocument(None, [located_error(exc, code)], size=size)
        measure = measure_document(document)
        errors = limit_errors(measure, limits)
        if errors:
            return ParsedDocument(None, errors, measure=measure, size=size)
        with tracer.start_as_current_span(SPAN_VALIDATE):
            problems = self._validate(document)
            if problems:  # the cached document has no locations; errors need them
                problems = self._validate(parse(query, no_location=False))
        return ParsedDocument(
            document if not problems else None,
            [located_error(e, ErrorCode.GRAPHQL_VALIDATION_FAILED) for e in problems],
            measure=measure,
            size=size,
        )

    def _validate(self, document: DocumentNode) -> list[GraphQLError]:
        return validate_document(
            self.schema,
            document,
            introspection=self.policy.introspection,
            suggestions=self.policy.suggestions,
        )

    @staticmethod
    def _parse(query: str, limits: OperationLimits) -> DocumentNode:
        try:
            return parse_document(query, limits.max_tokens, limits)
        except GraphQLError as exc:
            if not (limits.warn_only and _TOKENS_MESSAGE in exc.message):
                raise
            limits_log.warning(
                "document over a limit (warn-only mode): %s", exc.message.split(".")[0]
            )
        return parse_document(query, None)

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
            query=query,
            fields=parsed.measure.fields,
        )
        parsed.operations[operation_name] = info
        return info
