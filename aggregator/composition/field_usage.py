"""What the field sets of one subgraph say about its fields, Apollo's way.

- *used*: a field some @key, @requires, @provides or @fromContext selects, or
  that implements an interface field. An @external field must be used, and an
  overridden field that is still used stays in the supergraph
  (``@join__field(usedOverridden: true)``).
- *provided*: an @external field some @provides selects, so this subgraph
  can resolve it on that path.
- a leaf of a @requires/@provides must be @external unless a field above it
  is (for an interface field: unless an implementation's field is).

A selection of an interface field also reaches that field on every
implementation the subgraph knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import GraphQLSyntaxError
from graphql.language import FieldNode, InlineFragmentNode, SelectionSetNode

from aggregator.composition.fieldsets import parse_field_set, walk_field_set
from aggregator.composition.model import Subgraph, TypeDef, TypeKind, base_type

Coordinate = tuple[str, str]


def implementations(sub: Subgraph, interface: str) -> list[TypeDef]:
    """Object types of ``sub`` that implement ``interface``."""
    return [
        t for t in sub.types.values() if t.kind is TypeKind.OBJECT and interface in t.interfaces
    ]


def _with_implementations(sub: Subgraph, touched: Iterable[Coordinate]) -> set[Coordinate]:
    found = set(touched)
    for type_name, field_name in list(found):
        typedef = sub.types.get(type_name)
        if typedef is not None and typedef.kind is TypeKind.INTERFACE:
            found |= {
                (o.name, field_name)
                for o in implementations(sub, type_name)
                if field_name in o.fields
            }
    return found


def _selections(sub: Subgraph) -> Iterator[tuple[str, str]]:
    """(type the selection starts from, fields) of every @key, @requires and @provides."""
    for typedef in sub.types.values():
        for key in typedef.applied("key"):
            yield typedef.name, key.string_arg("fields") or ""
        for field_def in typedef.fields.values():
            for requires in field_def.applied("requires"):
                yield typedef.name, requires.string_arg("fields") or ""
            for provides in field_def.applied("provides"):
                yield base_type(field_def.type), provides.string_arg("fields") or ""


def _context_selections(sub: Subgraph) -> Iterator[tuple[str, str]]:
    """(type setting the context, selection) of every @fromContext argument."""
    setters: dict[str, list[str]] = {}
    for typedef in sub.types.values():
        for context in typedef.applied("context"):
            setters.setdefault(context.string_arg("name") or "", []).append(typedef.name)
    for typedef in sub.types.values():
        for field_def in typedef.fields.values():
            for argument in field_def.args.values():
                for from_context in argument.applied("fromContext"):
                    reference = (from_context.string_arg("field") or "").strip().lstrip("$")
                    name, _, selection = reference.partition(" ")
                    selection = selection.strip()
                    if selection.startswith("{") and selection.endswith("}"):
                        selection = selection[1:-1]
                    for setter in setters.get(name, []):
                        yield setter, selection


def used_fields(sub: Subgraph) -> set[Coordinate]:
    found: set[Coordinate] = set()
    for type_name, fields in [*_selections(sub), *_context_selections(sub)]:
        walk, _ = walk_field_set(sub, type_name, fields, allow_args=True)
        found |= walk.touched
    for typedef in sub.types.values():
        if typedef.kind is TypeKind.INTERFACE:
            for implementation in implementations(sub, typedef.name):
                found |= {
                    (implementation.name, f) for f in typedef.fields if f in implementation.fields
                }
    return _with_implementations(sub, found)


def provided_fields(sub: Subgraph) -> set[Coordinate]:
    """(type, field) pairs some @provides of ``sub`` selects: resolvable there on that path."""
    found: set[Coordinate] = set()
    for typedef in sub.types.values():
        for field_def in typedef.fields.values():
            for provides in field_def.applied("provides"):
                walk, _ = walk_field_set(
                    sub, base_type(field_def.type), provides.string_arg("fields") or ""
                )
                found |= walk.touched
    return _with_implementations(sub, found)


def leaves_without_external(sub: Subgraph, type_name: str, fields: str) -> list[str]:
    """Leaf fields of a @requires/@provides selection with no @external on their path.

    Such a field is already resolved by this subgraph, so naming it in the
    selection is a mistake (Apollo: *_FIELDS_MISSING_EXTERNAL).
    """
    selection = parse_field_set(fields)
    found: list[str] = []
    if isinstance(selection, GraphQLSyntaxError):
        return found

    def external(owner: TypeDef, field_name: str) -> bool:
        if owner.fields[field_name].has("external"):
            return True
        return owner.kind is TypeKind.INTERFACE and any(
            field_name in o.fields and o.fields[field_name].has("external")
            for o in implementations(sub, owner.name)
        )

    def visit(owner: str, node_set: SelectionSetNode, covered: bool) -> None:
        typedef = sub.types.get(owner)
        for node in node_set.selections:
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else owner
                visit(condition, node.selection_set, covered)
                continue
            if not isinstance(node, FieldNode) or typedef is None:
                continue
            field_def = typedef.fields.get(node.name.value)
            if field_def is None:
                continue
            if node.selection_set is None:
                if not covered and not field_def.has("external"):
                    found.append(f"{owner}.{field_def.name}")
            else:
                visit(
                    base_type(field_def.type),
                    node.selection_set,
                    covered or external(typedef, field_def.name),
                )

    visit(type_name, selection, False)
    return found
