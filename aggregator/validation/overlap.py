"""Field selection merging (the spec's FieldsInSetCanMerge) in near-linear time.

graphql-core, like graphql-js, compares every pair of fields that share a response
name, and the sub-selections of every such pair again pairwise: 1,600 copies of one
field cost over a million comparisons, and graphql-core gives up with "Validation
aborted." well before that. This check gets the same verdict by merging instead of
pairing:

- Within one response name, every field must have the same type shape (list and
  non-null wrappers, leaf type) whatever its parent: that relation is an equivalence,
  so each field is compared with the first one only.
- Fields whose parents may overlap (same object type, or an interface/union parent)
  must also agree on name and arguments: again an equivalence, checked against one
  representative per parent group.
- Sub-selections are merged, not paired: the selection sets of all fields under one
  response name are checked as one set. Fields under different object parents only
  need the same shape below, so the merged set of all of them is checked in
  "exclusive" mode (shapes only), and each group that may overlap is checked in full.

Each distinct set of merged selection sets is checked once (memoised by the identity
of its selection-set nodes), fragments are collected once per set, and a fragment
spread twice into one set contributes its fields once, so repeated fields, aliases
and doubling fragments all cost time linear in the document. A work budget guards
against shapes this reasoning does not bound (deep alternations of abstract and
object type conditions under one response name): past it the verdict is "undecided"
and the caller runs graphql-core's own rule.

The verdict only: the caller asks graphql-core for its exact messages when a
conflict is found (see ``rules.py``), so clients see graphql-js's wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    is_interface_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.language import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)
from graphql.utilities import type_from_ast

__all__ = ["Conflict", "Undecided", "find_conflict"]

ParentType = GraphQLNamedType | None


@dataclass(frozen=True, slots=True)
class Conflict:
    """The first conflict found: the response name, why, and the two fields."""

    response_name: str
    reason: str
    first: FieldNode
    second: FieldNode


class Undecided(Exception):
    """The work budget ran out before a verdict (the caller falls back to graphql-core)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    parent: ParentType
    node: FieldNode
    definition: GraphQLField | None


_Source = tuple[ParentType, SelectionSetNode]


class _Found(Exception):
    def __init__(self, conflict: Conflict) -> None:
        super().__init__(conflict.reason)
        self.conflict = conflict


def _value_key(node: ValueNode) -> object:
    """A comparable key of an argument value: same literal, same kind, object fields by name."""
    if isinstance(node, VariableNode):
        return ("$", node.name.value)
    if isinstance(node, ObjectValueNode):
        return (
            "{",
            tuple(
                (f.name.value, _value_key(f.value))
                for f in sorted(node.fields, key=lambda f: f.name.value)
            ),
        )
    if isinstance(node, ListValueNode):
        return ("[", tuple(_value_key(v) for v in node.values))
    if isinstance(node, StringValueNode):
        return ("s", node.value, node.block is True)
    if isinstance(node, NullValueNode):
        return ("null",)
    if isinstance(node, IntValueNode | FloatValueNode | BooleanValueNode | EnumValueNode):
        return (type(node).__name__, node.value)
    return (type(node).__name__, repr(node))  # pragma: no cover - no other value kinds


def _type_shape(type_: GraphQLOutputType) -> object:
    """Lists and non-null wrappers, down to the leaf type itself or "composite"."""
    if is_list_type(type_):
        return ("[]", _type_shape(type_.of_type))
    if is_non_null_type(type_):
        return ("!", _type_shape(type_.of_type))
    if is_leaf_type(type_):
        return ("leaf", id(type_))
    return "composite"


class _Checker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, budget: int) -> None:
        self.schema = schema
        self.fragments: dict[str, FragmentDefinitionNode] = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.budget = budget
        self._fragment_types: dict[str, ParentType] = {}
        self._collected: dict[tuple[int, int], tuple[tuple[str, list[_Entry]], ...]] = {}
        self._checked: set[tuple[frozenset[tuple[int, int]], bool]] = set()
        self._arguments: dict[int, object] = {}
        self._shapes: dict[int, object] = {}

    # ---------------------------------------------------------------- helpers
    def spend(self, units: int) -> None:
        self.budget -= units
        if self.budget < 0:
            raise Undecided

    def named(self, node: object) -> ParentType:
        found = type_from_ast(self.schema, node)  # type: ignore[call-overload]
        return found if isinstance(found, GraphQLNamedType) else None

    def fragment_type(self, name: str) -> ParentType:
        if name not in self._fragment_types:
            fragment = self.fragments[name]
            self._fragment_types[name] = self.named(fragment.type_condition)
        return self._fragment_types[name]

    @staticmethod
    def definition(parent: ParentType, name: str) -> GraphQLField | None:
        if is_object_type(parent) or is_interface_type(parent):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    def arguments(self, node: FieldNode) -> object:
        key = self._arguments.get(id(node))
        if key is None:
            key = self._arguments[id(node)] = (
                node.name.value,
                frozenset((a.name.value, _value_key(a.value)) for a in node.arguments or ()),
                len(node.arguments or ()),
            )
        return key

    def shape(self, definition: GraphQLField) -> object:
        key = self._shapes.get(id(definition))
        if key is None:
            key = self._shapes[id(definition)] = _type_shape(definition.type)
        return key

    # ------------------------------------------------------------- collection
    def collect(
        self, parent: ParentType, selection_set: SelectionSetNode
    ) -> Iterable[tuple[str, list[_Entry]]]:
        """Response name -> fields, through inline fragments and each fragment once."""
        key = (id(selection_set), id(parent))
        cached = self._collected.get(key)
        if cached is not None:
            return cached
        grouped: dict[str, list[_Entry]] = {}
        seen: set[str] = set()
        self._collect_into(parent, selection_set, grouped, seen)
        result = tuple(grouped.items())
        self._collected[key] = result
        return result

    def _collect_into(
        self,
        parent: ParentType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[_Entry]],
        seen: set[str],
    ) -> None:
        self.spend(len(selection_set.selections))
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.directives and any(
                    d.name.value == "stream" for d in selection.directives
                ):
                    raise Undecided  # @stream pairs follow their own rules: graphql-core's
                name = selection.alias.value if selection.alias else selection.name.value
                entry = _Entry(parent, selection, self.definition(parent, selection.name.value))
                grouped.setdefault(name, []).append(entry)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                self._collect_into(
                    self.named(condition) if condition is not None else parent,
                    selection.selection_set,
                    grouped,
                    seen,
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in self.fragments:
                    continue
                seen.add(name)
                self._collect_into(
                    self.fragment_type(name), self.fragments[name].selection_set, grouped, seen
                )

    # ------------------------------------------------------------------ check
    def check(self, sources: Iterable[_Source], exclusive: bool) -> None:
        unique = {(id(s), id(p)): (p, s) for p, s in sources}
        key = (frozenset(unique), exclusive)
        if key in self._checked or (exclusive and (key[0], False) in self._checked):
            return
        # marked before the work: a fragment cycle (reported by its own rule) must not loop
        self._checked.add(key)
        merged: dict[str, list[_Entry]] = {}
        if len(unique) == 1:
            [(parent, selection_set)] = unique.values()
            for name, entries in self.collect(parent, selection_set):
                merged[name] = entries
        else:
            for parent, selection_set in unique.values():
                for name, entries in self.collect(parent, selection_set):
                    merged.setdefault(name, []).extend(entries)
        for name, entries in merged.items():
            if len(entries) > 1:
                self.check_group(name, entries, exclusive)

    def check_group(self, name: str, entries: list[_Entry], exclusive: bool) -> None:
        self.spend(len(entries))
        # the same field reached twice (a fragment spread in two merged sets) is one field
        if len({id(e.node) for e in entries}) < len(entries):
            unique: dict[tuple[int, int], _Entry] = {}
            for e in entries:
                unique.setdefault((id(e.node), id(e.parent)), e)
            entries = list(unique.values())
            if len(entries) == 1:
                return
        typed = [e for e in entries if e.definition is not None]
        if typed:
            first = typed[0]
            assert first.definition is not None
            shape = self.shape(first.definition)
            for other in typed[1:]:
                assert other.definition is not None
                if self.shape(other.definition) != shape:
                    raise _Found(
                        Conflict(
                            name,
                            f"they return conflicting types '{first.definition.type}' "
                            f"and '{other.definition.type}'",
                            first.node,
                            other.node,
                        )
                    )
        if exclusive:
            self.recurse(name, entries, True)
            return
        abstract: list[_Entry] = []
        by_object: dict[int, list[_Entry]] = {}
        for e in entries:
            if is_object_type(e.parent):
                by_object.setdefault(id(e.parent), []).append(e)
            else:
                abstract.append(e)
        groups = list(by_object.values())
        if abstract:
            self.same_field(name, entries)
        else:
            for group in groups:
                self.same_field(name, group)
        if len(groups) >= 2:
            self.recurse(name, entries, True)
            for group in groups:
                self.recurse(name, abstract + group, False)
        else:
            self.recurse(name, entries, False)

    def same_field(self, name: str, entries: list[_Entry]) -> None:
        first = entries[0]
        expected = self.arguments(first.node)
        for other in entries[1:]:
            if self.arguments(other.node) == expected:
                continue
            a, b = first.node.name.value, other.node.name.value
            reason = (
                f"'{a}' and '{b}' are different fields"
                if a != b
                else "they have differing arguments"
            )
            raise _Found(Conflict(name, reason, first.node, other.node))

    def recurse(self, name: str, entries: list[_Entry], exclusive: bool) -> None:
        sources: list[_Source] = []
        for e in entries:
            if e.node.selection_set is not None:
                parent = get_named_type(e.definition.type) if e.definition is not None else None
                sources.append((parent, e.node.selection_set))
        if len({(id(s), id(p)) for p, s in sources}) < 2:
            return  # one selection set alone is checked where it stands
        try:
            self.check(sources, exclusive)
        except _Found as found:
            inner = found.conflict
            raise _Found(
                Conflict(
                    name,
                    f"subfields '{inner.response_name}' conflict because {inner.reason}",
                    inner.first,
                    inner.second,
                )
            ) from None

    # ------------------------------------------------------------------ walk
    def walk(self, parent: ParentType, selection_set: SelectionSetNode, check: bool) -> None:
        if check:
            self.check(((parent, selection_set),), False)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is not None:
                    definition = self.definition(parent, selection.name.value)
                    child = get_named_type(definition.type) if definition is not None else None
                    self.walk(child, selection.selection_set, True)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.named(condition) if condition is not None else parent
                # its fields were checked with the enclosing set; their sub-selections were not
                self.walk(inner, selection.selection_set, False)


def _root(schema: GraphQLSchema, operation: OperationDefinitionNode) -> ParentType:
    return schema.get_root_type(operation.operation)


def find_conflict(
    schema: GraphQLSchema, document: DocumentNode, *, budget: int | None = None
) -> Conflict | None:
    """The first field-merging conflict in ``document``, or None; raises :class:`Undecided`."""
    checker = _Checker(schema, document, budget if budget is not None else _budget(document))
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                checker.walk(_root(schema, definition), definition.selection_set, True)
            elif isinstance(definition, FragmentDefinitionNode):
                checker.walk(
                    checker.fragment_type(definition.name.value), definition.selection_set, True
                )
    except _Found as found:
        return found.conflict
    return None


def _budget(document: DocumentNode) -> int:
    """Generous for any linear walk: 200 units per selection, plus a floor."""
    selections = 0
    stack = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        node = stack.pop()
        selections += len(node.selections)
        for selection in node.selections:
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                stack.append(inner)
    return 200_000 + 200 * selections
