"""Operation limits: measure a parsed document in one linear pass, before validation.

Validation and planning cost grows with what a document *expands to*, not with its
text: thirty lines of fragments that each spread the previous one twice ask for 2^30
fields. So every count here is taken after fragment expansion, but computed once per
fragment definition (memoised), which keeps the pass linear in the document's size
however the fragments multiply. A fragment cycle counts as empty here; validation
reports it afterwards.

Each limit has its own error code (``MAX_DEPTH_LIMIT``...), so a client can tell which
one it crossed; ``warn_only`` logs instead of refusing, for rolling limits out on a
live graph.

:class:`LimitedParser` refuses earlier still: while parsing, it counts what one
definition holds lexically (fields, aliases, root fields, depth, directives), a lower
bound of what it expands to, and stops at the first limit crossed. A document of
1,600 root fields is refused after its 21st, having cost microseconds, not a parse.

Exceptions::

    LimitExceeded    raised by LimitedParser; carries the spec-shaped errors
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.language.parser import Parser

from aggregator.errors import ErrorCode, graphql_error

__all__ = [
    "DocumentMeasure",
    "LimitExceeded",
    "LimitedParser",
    "OperationLimits",
    "limit_errors",
    "measure_document",
]

log = logging.getLogger("aggregator.limits")


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """Upper bounds for one document; ``None`` turns a limit off.

    The defaults follow Apollo Router's suggested values (depth 100, aliases 30, root
    fields 20, 15,000 tokens); ``max_fields`` counts every field selection after
    fragment expansion, duplicates included, since each one costs validation time.
    """

    max_depth: int | None = 100
    max_aliases: int | None = 30
    max_root_fields: int | None = 20
    max_fields: int | None = 1000
    max_directives_per_field: int | None = 10
    max_tokens: int | None = 15_000
    warn_only: bool = False

    @classmethod
    def unlimited(cls) -> OperationLimits:
        return cls(None, None, None, None, None, None)


@dataclass(frozen=True, slots=True)
class DocumentMeasure:
    """The largest value of each measure over the document's operations and fragments."""

    depth: int = 0
    aliases: int = 0
    root_fields: int = 0
    fields: int = 0
    directives_per_field: int = 0
    # AST nodes, a size estimate for caches and the off-loop decision
    nodes: int = 0


@dataclass(slots=True)
class _Stats:
    fields: int = 0
    aliases: int = 0
    depth: int = 0
    top: int = 0


class _Measurer:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, _Stats] = {}
        self.in_progress: set[str] = set()
        self.directives = 0
        self.nodes = 0

    def fragment(self, name: str) -> _Stats:
        stats = self.memo.get(name)
        if stats is not None:
            return stats
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return _Stats()  # unknown fragment or a cycle: validation reports it
        self.in_progress.add(name)
        stats = self.selection_set(definition.selection_set)
        self.in_progress.discard(name)
        self.memo[name] = stats
        return stats

    def selection_set(self, node: SelectionSetNode, spread: set[str] | None = None) -> _Stats:
        # a fragment spread again where it already was adds nothing (it merges away, and
        # validation and planning look at it once), so it counts once per selection set
        spread = set() if spread is None else spread
        out = _Stats()
        for selection in node.selections:
            self.nodes += 1
            if isinstance(selection, FieldNode):
                directives = len(selection.directives or ())
                self.directives = max(self.directives, directives)
                self.nodes += directives + len(selection.arguments or ())
                out.fields += 1
                out.top += 1
                if selection.alias is not None:
                    out.aliases += 1
                depth = 1
                if selection.selection_set is not None:
                    sub = self.selection_set(selection.selection_set)
                    out.fields += sub.fields
                    out.aliases += sub.aliases
                    depth += sub.depth
                out.depth = max(out.depth, depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                sub = self.selection_set(selection.selection_set, spread)
            elif isinstance(selection, FragmentSpreadNode):
                if selection.name.value in spread:
                    continue
                spread.add(selection.name.value)
                sub = self.fragment(selection.name.value)
            else:  # pragma: no cover - the parser makes no other selections
                continue
            out.fields += sub.fields
            out.aliases += sub.aliases
            out.top += sub.top
            out.depth = max(out.depth, sub.depth)
        return out


def measure_document(document: DocumentNode) -> DocumentMeasure:
    """Every measure of the limits, in one pass over the document's definitions."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measurer = _Measurer(fragments)
    depth = aliases = roots = total = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            stats = measurer.selection_set(definition.selection_set)
            roots = max(roots, stats.top)
        elif isinstance(definition, FragmentDefinitionNode):
            stats = measurer.fragment(definition.name.value)
        else:
            continue
        depth = max(depth, stats.depth)
        aliases = max(aliases, stats.aliases)
        total = max(total, stats.fields)
    return DocumentMeasure(
        depth=depth,
        aliases=aliases,
        root_fields=roots,
        fields=total,
        directives_per_field=measurer.directives,
        nodes=measurer.nodes,
    )


_CHECKS: tuple[tuple[str, str, ErrorCode, str], ...] = (
    ("max_depth", "depth", ErrorCode.MAX_DEPTH_LIMIT, "is nested more than {limit} levels deep"),
    ("max_aliases", "aliases", ErrorCode.MAX_ALIASES_LIMIT, "uses more than {limit} aliases"),
    (
        "max_root_fields",
        "root_fields",
        ErrorCode.MAX_ROOT_FIELDS_LIMIT,
        "selects more than {limit} root fields",
    ),
    (
        "max_fields",
        "fields",
        ErrorCode.MAX_FIELDS_LIMIT,
        "selects more than {limit} fields after fragment expansion",
    ),
    (
        "max_directives_per_field",
        "directives_per_field",
        ErrorCode.MAX_DIRECTIVES_LIMIT,
        "puts more than {limit} directives on one field",
    ),
)
_BY_LIMIT = {check[0]: check for check in _CHECKS}


def _error(limit_name: str, limit: int) -> dict[str, object]:
    _, _, code, phrase = _BY_LIMIT[limit_name]
    return graphql_error(f"The operation {phrase.format(limit=limit)}.", code)


def limit_errors(
    measured: DocumentMeasure, limits: OperationLimits, *, operation_name: str | None = None
) -> list[dict[str, object]]:
    """One error per limit crossed; empty when within limits or in ``warn_only`` mode."""
    errors: list[dict[str, object]] = []
    for limit_name, measure_name, _, _ in _CHECKS:
        limit = getattr(limits, limit_name)
        value = getattr(measured, measure_name)
        if limit is None or value <= limit:
            continue
        error = _error(limit_name, limit)
        if limits.warn_only:
            log.warning(
                "operation %s over a limit (warn-only mode): %s (measured %d)",
                operation_name or "(document)",
                error["message"],
                value,
            )
            continue
        errors.append(error)
    return errors


class LimitExceeded(Exception):
    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__(errors[0]["message"])
        self.errors = errors


class LimitedParser(Parser):
    """graphql-core's parser, stopping at the first limit one definition crosses lexically.

    Lexical counts within one definition never exceed what it expands to (spreads only
    add), so stopping early never refuses a document the full measure would accept.
    """

    def __init__(self, source: str, limits: OperationLimits, **options: object) -> None:
        super().__init__(source, **options)  # type: ignore[arg-type]
        self._limits = limits
        self._fields = self._aliases = self._roots = self._field_depth = 0
        self._operation = False

    def _exceeded(self, limit_name: str, value: int) -> None:
        limit = getattr(self._limits, limit_name)
        if limit is not None and value > limit:
            raise LimitExceeded([_error(limit_name, limit)])

    def parse_operation_definition(self) -> OperationDefinitionNode:
        self._fields = self._aliases = self._roots = self._field_depth = 0
        self._operation = True
        return super().parse_operation_definition()

    def parse_fragment_definition(self) -> FragmentDefinitionNode:
        self._fields = self._aliases = self._roots = self._field_depth = 0
        self._operation = False
        return super().parse_fragment_definition()

    def parse_field(self) -> FieldNode:
        self._fields += 1
        self._exceeded("max_fields", self._fields)
        if self._operation and self._field_depth == 0:
            self._roots += 1
            self._exceeded("max_root_fields", self._roots)
        self._field_depth += 1
        self._exceeded("max_depth", self._field_depth)
        try:
            field = super().parse_field()
        finally:
            self._field_depth -= 1
        if field.alias is not None:
            self._aliases += 1
            self._exceeded("max_aliases", self._aliases)
        self._exceeded("max_directives_per_field", len(field.directives or ()))
        return field
