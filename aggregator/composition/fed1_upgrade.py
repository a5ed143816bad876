"""Federation 1 subgraphs, rewritten the way Apollo upgrades them before merging.

Federation 1 was lenient where Federation 2 is strict, so Apollo rewrites a
Fed 1 subgraph instead of rejecting what Fed 1 accepted: ``extend type``
entities (and ``@extends``) need a definition somewhere, the @external on
their key fields means nothing and goes, @external on interface fields goes,
@key on interfaces and @provides/@requires on interface fields go, @provides
on a field of a non-composite type goes, and in @requires/@provides the
leaves that are not @external (which Fed 1 ignored) are dropped, the
directive with them when nothing is left. What remains is checked like a
Federation 2 subgraph (``validation.py``).
"""

from __future__ import annotations

from graphql import GraphQLSyntaxError
from graphql.language import (
    FieldNode,
    InlineFragmentNode,
    SelectionSetNode,
    StringValueNode,
    print_ast,
)

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.fieldsets import parse_field_set, walk_field_set
from aggregator.composition.merge_context import subgraphs_text
from aggregator.composition.model import (
    AppliedDirective,
    FieldDef,
    Subgraph,
    TypeDef,
    TypeKind,
    base_type,
)

_ROOTS = ("Query", "Mutation", "Subscription")


def is_type_extension(typedef: TypeDef) -> bool:
    """Apollo's "federation type extension": only `extend` blocks, or @extends."""
    return typedef.kind in (TypeKind.OBJECT, TypeKind.INTERFACE) and (
        typedef.only_extensions or typedef.has("extends")
    )


def extensions_without_base(sub: Subgraph, subgraphs: list[Subgraph]) -> list[CompositionError]:
    """EXTENSION_WITH_NO_BASE: an extended type no subgraph defines (checked before upgrading)."""
    errors = []
    for typedef in sub.types.values():
        if typedef.name in _ROOTS or not is_type_extension(typedef):
            continue
        defined = any(
            other is not sub
            and (t := other.types.get(typedef.name)) is not None
            and not t.only_extensions
            for other in subgraphs
        )
        if not defined:
            errors.append(
                CompositionError(
                    CompositionErrorCode.EXTENSION_WITH_NO_BASE,
                    f'[{sub.name}] Type "{typedef.name}" is an extension type, but there is no '
                    f'type definition for "{typedef.name}" in any subgraph.',
                    sub.name,
                    typedef.name,
                )
            )
    return errors


def upgrade(sub: Subgraph, subgraphs: list[Subgraph]) -> set[str]:
    """Rewrite Fed 1 subgraph ``sub`` in place, as Apollo's schema upgrader does.

    Returns the interfaces whose @key was removed (see ``interface_objects_on_fed1_keys``).
    """
    interface_keys = {
        t.name for t in sub.types.values() if t.kind is TypeKind.INTERFACE and t.has("key")
    }
    for typedef in sub.types.values():
        if typedef.kind is TypeKind.INTERFACE:
            for field_def in typedef.fields.values():
                _drop(field_def, "external")
    for typedef in sub.types.values():
        if typedef.name in _ROOTS or is_type_extension(typedef):
            _drop_external_on_keys(sub, typedef, subgraphs)
    for typedef in sub.types.values():
        if typedef.kind not in (TypeKind.OBJECT, TypeKind.INTERFACE):
            continue
        for field_def in typedef.fields.values():
            _remove_inactive(sub, field_def, "provides", base_type(field_def.type))
            _remove_inactive(sub, field_def, "requires", typedef.name)
    for typedef in sub.types.values():
        if typedef.kind is TypeKind.INTERFACE:
            typedef.directives = [d for d in typedef.directives if d.name != "key"]
            for field_def in typedef.fields.values():
                _drop(field_def, "provides")
                _drop(field_def, "requires")
        elif typedef.kind is TypeKind.OBJECT:
            for field_def in typedef.fields.values():
                target = sub.types.get(base_type(field_def.type))
                if target is None or target.kind not in (
                    TypeKind.OBJECT,
                    TypeKind.INTERFACE,
                    TypeKind.UNION,
                ):
                    _drop(field_def, "provides")
    return interface_keys


def interface_objects_on_fed1_keys(
    subgraphs: list[Subgraph], fed1_interface_keys: dict[str, set[str]]
) -> list[CompositionError]:
    """An @interfaceObject needs a Fed 2 interface @key: a Fed 1 one does not resolve __typename."""
    errors = []
    users: dict[str, list[str]] = {}
    for sub in subgraphs:
        for typedef in sub.types.values():
            if sub.fed2 and typedef.is_interface_object:
                users.setdefault(typedef.name, []).append(sub.name)
    for type_name, using in sorted(users.items()):
        keyed = [name for name, types in fed1_interface_keys.items() if type_name in types]
        if keyed:
            errors.append(
                CompositionError(
                    CompositionErrorCode.INTERFACE_OBJECT_USAGE_ERROR,
                    f'The @interfaceObject directive is used on type "{type_name}" in '
                    f"{subgraphs_text(using)}, which requires other subgraphs to resolve its type "
                    "name via an interface @key. However, @key on an interface in a federation 1 "
                    "subgraph does not mean it can fulfill the __typename-resolution requirement "
                    "that @interfaceObject depends on. For "
                    f"{subgraphs_text(keyed)}, either upgrade them to federation 2 subgraphs or "
                    "remove @key from the type.",
                    coordinate=type_name,
                )
            )
    return errors


def _drop(field_def: FieldDef, directive: str) -> None:
    field_def.directives = [d for d in field_def.directives if d.name != directive]


def _drop_external_on_keys(sub: Subgraph, typedef: TypeDef, subgraphs: list[Subgraph]) -> None:
    """Key fields of an extension are its own, whatever @external says.

    Without a key of its own, the first key another subgraph gives the type counts.
    """
    keys = [k.string_arg("fields") or "" for k in typedef.applied("key")]
    owner = typedef
    if not keys:
        for other in subgraphs:
            other_type = other.types.get(typedef.name)
            if other is sub or other_type is None:
                continue
            other_keys = other_type.applied("key")
            if other_keys:
                fields = other_keys[0].string_arg("fields") or ""
                walk, _ = walk_field_set(other, typedef.name, fields)
                for type_name, field_name in walk.touched:
                    if type_name == typedef.name and field_name in owner.fields:
                        _drop(owner.fields[field_name], "external")
        return
    for fields in keys:
        walk, _ = walk_field_set(sub, typedef.name, fields)
        for type_name, field_name in walk.touched:
            if type_name == typedef.name:
                _drop(owner.fields[field_name], "external")


def _remove_inactive(sub: Subgraph, field_def: FieldDef, directive: str, parent: str) -> None:
    kept: list[AppliedDirective] = []
    for applied in field_def.directives:
        if applied.name != directive:
            kept.append(applied)
            continue
        fields = applied.string_arg("fields") or ""
        selection = parse_field_set(fields)
        _, problem = walk_field_set(sub, parent, fields, directive=directive, allow_args=True)
        if (
            isinstance(selection, GraphQLSyntaxError)
            or problem is not None
            or (not _selects_non_external_leaf(sub, parent, selection))
        ):  # an invalid selection is kept, for validation to report
            kept.append(applied)
            continue
        remaining = _external_part(sub, parent, selection)
        if remaining:
            kept.append(AppliedDirective(directive, {"fields": StringValueNode(value=remaining)}))
    field_def.directives = kept


def _external(sub: Subgraph, type_name: str, field_name: str) -> bool:
    """@external on the field, or (for an interface) on an implementation's field."""
    typedef = sub.types.get(type_name)
    field_def = typedef.fields.get(field_name) if typedef else None
    if field_def is None or typedef is None:
        return False
    if field_def.has("external"):
        return True
    return typedef.kind is TypeKind.INTERFACE and any(
        type_name in t.interfaces
        and field_name in t.fields
        and t.fields[field_name].has("external")
        for t in sub.types.values()
    )


def _field_target(sub: Subgraph, type_name: str, field_name: str) -> str:
    typedef = sub.types.get(type_name)
    field_def = typedef.fields.get(field_name) if typedef else None
    return base_type(field_def.type) if field_def else ""


def _selects_non_external_leaf(sub: Subgraph, type_name: str, selection: SelectionSetNode) -> bool:
    for node in selection.selections:
        if isinstance(node, FieldNode):
            if _external(sub, type_name, node.name.value):
                continue
            if node.selection_set is None or _selects_non_external_leaf(
                sub, _field_target(sub, type_name, node.name.value), node.selection_set
            ):
                return True
        elif isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else type_name
            if _selects_non_external_leaf(sub, condition, node.selection_set):
                return True
    return False


def _external_part(sub: Subgraph, type_name: str, selection: SelectionSetNode) -> str:
    """The selection without its non-external leaves, printed as Apollo prints field sets."""
    parts: list[str] = []
    for node in selection.selections:
        if isinstance(node, FieldNode):
            if _external(sub, type_name, node.name.value):
                parts.append(_flat(node))
            elif node.selection_set is not None:
                inner = _external_part(
                    sub, _field_target(sub, type_name, node.name.value), node.selection_set
                )
                if inner:
                    parts.append(f"{_flat(node, with_selection=False)} {{ {inner} }}")
        elif isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else type_name
            inner = _external_part(sub, condition, node.selection_set)
            if inner:
                on = f" on {condition}" if node.type_condition else ""
                parts.append(f"...{on} {{ {inner} }}")
    return " ".join(parts)


def _flat(node: FieldNode | InlineFragmentNode, *, with_selection: bool = True) -> str:
    """One selection on one line: ``y(a: 1)``, ``org { code name }``, ``... on T { x }``."""
    if isinstance(node, InlineFragmentNode):
        head = f"... on {node.type_condition.name.value}" if node.type_condition else "..."
    else:
        args = ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in node.arguments or ())
        head = node.name.value + (f"({args})" if args else "")
    if not with_selection or node.selection_set is None:
        return head
    inner = " ".join(
        _flat(child)
        for child in node.selection_set.selections
        if isinstance(child, FieldNode | InlineFragmentNode)
    )
    return f"{head} {{ {inner} }}"
