"""Stage 1: client operation -> normalised selection tree the planner and projection share.

Receives the parsed operation, its fragments and the values of the variables that
decide ``@skip``/``@include``; returns a tuple of :class:`NField`/:class:`NFragment`
(frozen in practice: every later stage only reads it).

Normalising once per (document, operation, condition values) removes every
indirection the hot path would otherwise re-evaluate per request: named
fragments become inline fragments, ``@skip``/``@include`` are decided, fragments
on the enclosing type are flattened, and fields sharing a response key are merged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql.language import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
)

from aggregator.planning.errors import OperationTooComplex, PlanningError
from aggregator.supergraph.model import SupergraphModel

MAX_NORMALIZED_FIELDS = 25_000
MAX_DEPTH = 100


def check_size(selections: tuple[NSelection, ...]) -> None:
    """Refuse operations whose field tree, with fragments unfolded, is too big or too deep.

    Fragments that reuse fragments can describe 2^n distinct fields in a few hundred
    tokens; planning and projection walk the unfolded tree, so it is measured first
    (memoised on the shared sub-trees, so the measuring itself stays cheap).
    """
    sizes: dict[int, tuple[int, int]] = {}

    def measure(node: tuple[NSelection, ...], depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            raise OperationTooComplex(f"the operation is nested more than {MAX_DEPTH} levels deep")
        cached = sizes.get(id(node))
        if cached is not None:
            return cached
        count, deepest = 0, 0
        for selection in node:
            inner = selection.selections
            count += isinstance(selection, NField)
            if inner:
                sub_count, sub_depth = measure(inner, depth + 1)
                count += sub_count
                deepest = max(deepest, sub_depth + 1)
            if count > MAX_NORMALIZED_FIELDS:
                raise OperationTooComplex(
                    f"the operation expands to more than {MAX_NORMALIZED_FIELDS} fields"
                )
        if depth + deepest > MAX_DEPTH:
            raise OperationTooComplex(f"the operation is nested more than {MAX_DEPTH} levels deep")
        sizes[id(node)] = (count, deepest)
        return count, deepest

    measure(selections, 0)


@dataclass(eq=False, slots=True)
class NField:
    response_key: str
    name: str
    arguments: tuple[ArgumentNode, ...]
    directives: tuple[DirectiveNode, ...]
    selections: tuple[NSelection, ...] | None
    # the node the client wrote, for graphql-core helpers (argument coercion)
    node: FieldNode | None = None
    # Set by authorization on the tree projection reads, never on the tree the planner
    # reads: ``denied`` answers null with an UNAUTHORIZED_FIELD_OR_TYPE error at the
    # field's path; ``mask`` rewrites each leaf value before it reaches the client.
    denied: bool = False
    mask: Callable[[Any], Any] | None = None


@dataclass(eq=False, slots=True)
class NFragment:
    type_condition: str
    selections: tuple[NSelection, ...]
    # authorization removed this fragment: objects of a matching type get an error
    denied: bool = False


NSelection = NField | NFragment


def condition_variables(selection_set: SelectionSetNode, fragments: Mapping[str, Any]) -> set[str]:
    """Variables that decide ``@skip``/``@include`` anywhere in the operation."""
    found: set[str] = set()
    seen: set[str] = set()

    def visit(node: SelectionSetNode) -> None:
        for selection in node.selections:
            for directive in selection.directives or ():
                if directive.name.value in ("skip", "include"):
                    for arg in directive.arguments or ():
                        if isinstance(arg.value, VariableNode):
                            found.add(arg.value.name.value)
            if isinstance(selection, FieldNode | InlineFragmentNode):
                if selection.selection_set is not None:
                    visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in fragments:
                    seen.add(name)
                    visit(fragments[name].selection_set)

    visit(selection_set)
    return found


def _included(node: SelectionNode, variables: Mapping[str, Any]) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value: Any = None
        for arg in directive.arguments or ():
            if arg.name.value == "if":
                if isinstance(arg.value, BooleanValueNode):
                    value = arg.value.value
                elif isinstance(arg.value, VariableNode):
                    value = variables.get(arg.value.name.value)
        if name == "skip" and value is True:
            return False
        if name == "include" and value is not True:
            return False
    return True


def _forwarded(directives: Sequence[DirectiveNode] | None) -> tuple[DirectiveNode, ...]:
    return tuple(d for d in directives or () if d.name.value not in ("skip", "include"))


class Normalizer:
    def __init__(
        self,
        model: SupergraphModel,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.model = model
        self.fragments = fragments
        self.variables = variables
        # a fragment spread normalises the same wherever it appears: doing it once keeps
        # fragments that spread other fragments twice from costing 2^depth
        self._spreads: dict[tuple[str, str], tuple[NSelection, ...]] = {}
        self.field_count = 0

    def field_type(self, parent: str, name: str) -> str | None:
        if name.startswith("__"):
            return None
        parent_model = self.model.types.get(parent)
        if parent_model is None:
            raise PlanningError(f"unknown type {parent}")
        field_model = parent_model.fields.get(name)
        if field_model is None:
            raise PlanningError(f"unknown field {parent}.{name}")
        target = self.model.types.get(field_model.named_type)
        return target.name if target is not None and target.is_composite else None

    def can_overlap(self, parent: str, condition: str) -> bool:
        if condition == parent:
            return True
        parent_possible = set(self.model.possible_types(parent))
        return bool(parent_possible & set(self.model.possible_types(condition)))

    def selections(self, selection_set: SelectionSetNode, parent: str) -> tuple[NSelection, ...]:
        raw: list[NSelection] = []
        self._collect(selection_set, parent, raw, set())
        return merge(raw)

    def _collect(
        self, selection_set: SelectionSetNode, parent: str, out: list[NSelection], seen: set[str]
    ) -> None:
        for selection in selection_set.selections:
            if not _included(selection, self.variables):
                continue
            if isinstance(selection, FieldNode):
                self.field_count += 1
                if self.field_count > MAX_NORMALIZED_FIELDS:
                    raise OperationTooComplex(
                        f"the operation expands to more than {MAX_NORMALIZED_FIELDS} fields"
                    )
                name = selection.name.value
                sub: tuple[NSelection, ...] | None = None
                if selection.selection_set is not None:
                    child = self.field_type(parent, name)
                    if child is not None:
                        sub = self.selections(selection.selection_set, child)
                out.append(
                    NField(
                        response_key=selection.alias.value if selection.alias else name,
                        name=name,
                        arguments=tuple(selection.arguments or ()),
                        directives=_forwarded(selection.directives),
                        selections=sub,
                        node=selection,
                    )
                )
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    raise PlanningError(f"unknown fragment {selection.name.value}")
                condition: str | None = fragment.type_condition.name.value
                if condition is None or condition == parent:
                    out.extend(self._spread(selection.name.value, fragment.selection_set, parent))
                elif condition in self.model.types and self.can_overlap(parent, condition):
                    inner_selections = self._spread(
                        selection.name.value, fragment.selection_set, condition
                    )
                    out.append(NFragment(condition, inner_selections))
                continue
            assert isinstance(selection, InlineFragmentNode)
            condition = selection.type_condition.name.value if selection.type_condition else None
            inner = selection.selection_set
            if condition is None or condition == parent:
                self._collect(inner, parent, out, seen)
            elif condition in self.model.types and self.can_overlap(parent, condition):
                out.append(NFragment(condition, self.selections(inner, condition)))

    def _spread(
        self, name: str, selection_set: SelectionSetNode, parent: str
    ) -> tuple[NSelection, ...]:
        key = (name, parent)
        cached = self._spreads.get(key)
        if cached is None:
            cached = self._spreads[key] = self.selections(selection_set, parent)
        return cached


def merge(selections: Sequence[NSelection]) -> tuple[NSelection, ...]:
    """Merge fields that share a response key (their sub-selections concatenate)."""
    out: list[NSelection] = []
    by_key: dict[str, int] = {}
    for selection in selections:
        if isinstance(selection, NFragment):
            out.append(selection)
            continue
        index = by_key.get(selection.response_key)
        if index is None:
            by_key[selection.response_key] = len(out)
            out.append(selection)
            continue
        first = out[index]
        assert isinstance(first, NField)
        if (
            first.selections is not None
            and selection.selections is not None
            and first.selections is not selection.selections
        ):
            out[index] = first = NField(
                first.response_key,
                first.name,
                first.arguments,
                first.directives,
                merge(first.selections + selection.selections),
                first.node,
                first.denied,
                first.mask,
            )
        if selection.denied and not first.denied:
            # one occurrence the caller may not see withholds the whole response key
            out[index] = NField(
                first.response_key,
                first.name,
                first.arguments,
                first.directives,
                None,
                first.node,
                True,
            )
    return tuple(out)
