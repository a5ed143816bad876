"""Which subgraphs can serve a field, and where a query can move by @key.

The questions satisfiability asks of the subgraphs, answered on the
normalised subgraph model:

- ``resolves(sub, type, field)``: ``sub`` can return the field (not
  @external unless some @provides selects it, not taken away by @override);
- ``closure(type, subgraphs)``: every subgraph an entity of ``type`` can
  reach from ``subgraphs`` by @key jumps. A jump needs the target key's
  fields, and those may themselves be fetched by further jumps (a key
  ``services { id sid }`` whose ``sid`` lives in a third subgraph);
- ``fetchable(subgraphs, type, selection)``: a selection (key or @requires
  fields) can be gathered starting from ``subgraphs``;
- ``sources(subgraphs, type, field)``: where a field of an object or
  interface comes from, including an interface field that the current
  subgraph's version of the interface does not have but each of its
  implementations can reach in another subgraph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import GraphQLSyntaxError
from graphql.language import FieldNode, InlineFragmentNode, SelectionSetNode

from aggregator.composition.field_usage import provided_fields
from aggregator.composition.fieldsets import parse_field_set
from aggregator.composition.model import Subgraph, TypeDef, TypeKind, base_type
from aggregator.composition.validation import key_is_resolvable

Subgraphs = frozenset[str]


@dataclass(frozen=True)
class Sources:
    """How a field is served from a position: ``satisfied`` with the subgraphs
    returning its value (empty when no value can ever be returned there)."""

    satisfied: bool
    subgraphs: Subgraphs = frozenset()


class Reachability:
    def __init__(self, subgraphs: list[Subgraph]) -> None:
        self.subs = {s.name: s for s in subgraphs}
        self.provided = {s.name: provided_fields(s) for s in subgraphs}
        self.overridden = _overridden(subgraphs)
        self._closures: dict[tuple[str, Subgraphs], Subgraphs] = {}
        self._in_progress: set[tuple[str, Subgraphs]] = set()
        self._cut_cycles = 0

    def resolves(self, sub_name: str, type_name: str, field_name: str) -> bool:
        if (sub_name, type_name, field_name) in self.overridden:
            return False
        typedef = self.subs[sub_name].types.get(type_name)
        if typedef is None or field_name not in typedef.fields:
            return False
        if typedef.fields[field_name].has("external"):
            return (type_name, field_name) in self.provided[sub_name]
        return True

    def closure(self, type_name: str, start: Subgraphs) -> Subgraphs:
        key = (type_name, start)
        if key in self._closures:
            return self._closures[key]
        if key in self._in_progress:
            self._cut_cycles += 1  # a key needing itself: no jump through this path
            return start
        self._in_progress.add(key)
        cuts_before = self._cut_cycles
        current = set(start)
        changed = True
        while changed:
            changed = False
            for name, sub in self.subs.items():
                typedef = sub.types.get(type_name)
                if name in current or typedef is None:
                    continue
                for key_directive in typedef.applied("key"):
                    if key_is_resolvable(key_directive) and self.fetchable(
                        frozenset(current),
                        type_name,
                        key_directive.string_arg("fields") or "",
                        reach=frozenset(current),
                    ):
                        current.add(name)
                        changed = True
                        break
        self._in_progress.discard(key)
        result = frozenset(current)
        if self._cut_cycles == cuts_before:  # not cut short by a cycle: final
            self._closures[key] = result
        return result

    def fetchable(
        self, start: Subgraphs, type_name: str, fields: str, reach: Subgraphs | None = None
    ) -> bool:
        """Whether ``fields`` of a ``type_name`` held in ``start`` can all be fetched.

        ``reach`` is where the top-level fields may come from (the key closure
        of ``start`` unless given, as when that closure is being computed).
        """
        selection = parse_field_set(fields)
        if isinstance(selection, GraphQLSyntaxError):
            return False
        return self._fetchable(start, type_name, selection, reach)

    def _fetchable(
        self, start: Subgraphs, type_name: str, selection: SelectionSetNode, reach: Subgraphs | None
    ) -> bool:
        if reach is None:
            reach = self.closure(type_name, start)
        for node in selection.selections:
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else type_name
                having = frozenset(n for n in reach if condition in self.subs[n].types)
                if having and not self._fetchable(
                    having, condition, node.selection_set, None if condition != type_name else reach
                ):
                    return False
                continue
            if not isinstance(node, FieldNode) or node.name.value == "__typename":
                continue
            serving = [n for n in reach if self.resolves(n, type_name, node.name.value)]
            if not serving:
                return False
            if node.selection_set is None:
                continue
            if not any(
                self._fetchable(
                    frozenset({n}),
                    self._field_type(n, type_name, node.name.value),
                    node.selection_set,
                    None,
                )
                for n in serving
            ):
                return False
        return True

    def _field_type(self, sub_name: str, type_name: str, field_name: str) -> str:
        return base_type(self.subs[sub_name].types[type_name].fields[field_name].type)

    def runtime_types(self, sub_name: str, type_name: str) -> frozenset[str]:
        """The object types a value of ``type_name`` can be in ``sub_name``'s schema:
        the type itself for an object, its members or implementations otherwise."""
        return possible_runtime_types(self.subs[sub_name].types, type_name)

    def requires_satisfiable(self, sub_name: str, type_name: str, field_name: str) -> bool:
        """The @requires fields of the field in ``sub_name`` can be fetched starting there."""
        field = self.subs[sub_name].types[type_name].fields[field_name]
        return all(
            self.fetchable(frozenset({sub_name}), type_name, r.string_arg("fields") or "")
            for r in field.applied("requires")
        )

    def serves(self, sub_name: str, type_name: str, field_name: str) -> bool:
        return self.resolves(sub_name, type_name, field_name) and self.requires_satisfiable(
            sub_name, type_name, field_name
        )

    def sources(self, at: Subgraphs, type_name: str, field_name: str) -> Sources:
        """Where ``type_name.field_name`` comes from when the value is held in ``at``.

        ``at`` is already closed under key jumps. An interface field missing
        from a subgraph's interface is still served when every implementation
        that subgraph can return reaches the field (Apollo explores the
        implementations the same way).
        """
        direct = frozenset(n for n in at if self.serves(n, type_name, field_name))
        if direct:
            return Sources(True, direct)
        satisfied = False
        via: set[str] = set()
        for name in sorted(at):
            local = self.subs[name].types.get(type_name)
            if local is None or local.kind is not TypeKind.INTERFACE:
                continue
            found = self._through_implementations(name, type_name, field_name)
            if found is not None:
                satisfied = True
                via |= found
        return Sources(satisfied, frozenset(via))

    def _through_implementations(
        self, sub_name: str, interface: str, field_name: str
    ) -> set[str] | None:
        via: set[str] = set()
        for implementation in sorted(self.runtime_types(sub_name, interface)):
            reach = self.closure(implementation, frozenset({sub_name}))
            serving = {n for n in reach if self.serves(n, implementation, field_name)}
            if not serving:
                return None
            via |= serving
        return via


def possible_runtime_types(types: Mapping[str, TypeDef], type_name: str) -> frozenset[str]:
    """The object types of one schema (a subgraph's or the supergraph's) that a
    value of ``type_name`` can be at run time."""
    typedef = types.get(type_name)
    if typedef is None:
        return frozenset()
    if typedef.kind is TypeKind.OBJECT:
        return frozenset({type_name})
    return frozenset(
        name
        for name, t in types.items()
        if t.kind is TypeKind.OBJECT and (type_name in t.interfaces or name in typedef.members)
    )


def _overridden(subgraphs: list[Subgraph]) -> set[tuple[str, str, str]]:
    """(subgraph, type, field) taken over by another subgraph's @override.

    A source whose field is @external does not resolve it anyway, and a
    labelled override moves only part of the traffic: neither counts.
    """
    by_name = {s.name: s for s in subgraphs}
    found: set[tuple[str, str, str]] = set()
    for sub in subgraphs:
        for typedef in sub.types.values():
            for field in typedef.fields.values():
                for override in field.applied("override"):
                    if override.string_arg("label") is not None:
                        continue
                    source = override.string_arg("from") or ""
                    source_type = (
                        by_name[source].types.get(typedef.name) if (source in by_name) else None
                    )
                    source_field = source_type.fields.get(field.name) if source_type else None
                    if source_field is None or not source_field.has("external"):
                        found.add((source, typedef.name, field.name))
    return found
