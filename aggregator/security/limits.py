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

from aggregator.errors import ErrorCode, graphql_error

__all__ = ["DocumentMeasure", "OperationLimits", "limit_errors", "measure_document"]

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
    ("max_depth", "depth", ErrorCode.MAX_DEPTH_LIMIT, "is nested {value} levels deep"),
    ("max_aliases", "aliases", ErrorCode.MAX_ALIASES_LIMIT, "uses {value} aliases"),
    (
        "max_root_fields",
        "root_fields",
        ErrorCode.MAX_ROOT_FIELDS_LIMIT,
        "selects {value} root fields",
    ),
    (
        "max_fields",
        "fields",
        ErrorCode.MAX_FIELDS_LIMIT,
        "selects {value} fields after fragment expansion",
    ),
    (
        "max_directives_per_field",
        "directives_per_field",
        ErrorCode.MAX_DIRECTIVES_LIMIT,
        "puts {value} directives on one field",
    ),
)


def limit_errors(
    measured: DocumentMeasure, limits: OperationLimits, *, operation_name: str | None = None
) -> list[dict[str, object]]:
    """One error per limit crossed; empty when within limits or in ``warn_only`` mode."""
    errors: list[dict[str, object]] = []
    for limit_name, measure_name, code, phrase in _CHECKS:
        limit = getattr(limits, limit_name)
        value = getattr(measured, measure_name)
        if limit is None or value <= limit:
            continue
        message = f"The operation {phrase.format(value=value)}; the limit is {limit}."
        if limits.warn_only:
            log.warning(
                "operation %s over a limit (warn-only mode): %s",
                operation_name or "(document)",
                message,
            )
            continue
        errors.append(graphql_error(message, code))
    return errors
