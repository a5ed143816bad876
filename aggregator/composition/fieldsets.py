"""Field sets (the ``fields:`` strings of @key, @requires, @provides).

A field set is a selection set without its braces; it is parsed with
graphql-core and walked against one subgraph's types. Walking reports the
first problem as text, and records which fields were selected so unused
``@external`` fields can be found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from graphql import GraphQLSyntaxError
from graphql.language import FieldNode, InlineFragmentNode, SelectionSetNode, TokenKind
from graphql.language.parser import Parser

from aggregator.composition.model import Subgraph, TypeKind, base_type


@dataclass
class FieldSetProblem:
    kind: str  # "syntax" | "unknown" | "invalid_type" | "has_args"
    message: str


@dataclass
class Walk:
    """What a walk of one field set touched: (type, field) pairs, top level apart."""

    touched: set[tuple[str, str]] = field(default_factory=set)
    top_level: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)
def parse_field_set(fields: str) -> SelectionSetNode | GraphQLSyntaxError:
    try:
        parser = Parser("{" + fields + "}", no_location=True)
        parser.expect_token(TokenKind.SOF)
        selection = parser.parse_selection_set()
        parser.expect_token(TokenKind.EOF)
        return selection
    except GraphQLSyntaxError as error:
        return error


def walk_field_set(
    sub: Subgraph,
    type_name: str,
    fields: str,
    *,
    reject_abstract: bool = False,
    hint: str = "",
) -> tuple[Walk, FieldSetProblem | None]:
    walk = Walk()
    selection = parse_field_set(fields)
    if isinstance(selection, GraphQLSyntaxError):
        return walk, FieldSetProblem("syntax", f"invalid field set: {selection.message}")
    if not selection.selections:
        return walk, FieldSetProblem("syntax", 'invalid field set: Expected Name, found "}".')
    problem = _walk(sub, type_name, selection, walk, reject_abstract=reject_abstract,
                    hint=hint, top=True)
    return walk, problem


def _walk(
    sub: Subgraph,
    type_name: str,
    selection: SelectionSetNode,
    walk: Walk,
    *,
    reject_abstract: bool,
    hint: str,
    top: bool,
) -> FieldSetProblem | None:
    typedef = sub.types.get(type_name)
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else type_name
            problem = _walk(sub, condition, node.selection_set, walk,
                            reject_abstract=reject_abstract, hint=hint, top=top)
            if problem:
                return problem
            continue
        if not isinstance(node, FieldNode):
            return FieldSetProblem("syntax", "fragment spreads are not allowed in field sets")
        name = node.name.value
        if name == "__typename":
            continue
        field_def = typedef.fields.get(name) if typedef else None
        if field_def is None:
            return FieldSetProblem(
                "unknown", f'Cannot query field "{name}" on type "{type_name}"{hint}.'
            )
        walk.touched.add((type_name, name))
        if top:
            walk.top_level.append(name)
        if node.arguments:
            return FieldSetProblem(
                "has_args", f'field "{type_name}.{name}" cannot be included because it has '
                "arguments"
            )
        target_name = base_type(field_def.type)
        target = sub.types.get(target_name)
        if target and reject_abstract and target.kind in (TypeKind.INTERFACE, TypeKind.UNION):
            return FieldSetProblem(
                "invalid_type",
                f'field "{type_name}.{name}" is a {target.kind.value.split()[0]} type which is '
                "not allowed in @key",
            )
        composite = target is not None and target.kind in (
            TypeKind.OBJECT, TypeKind.INTERFACE, TypeKind.UNION
        )
        if composite and node.selection_set is None:
            return FieldSetProblem(
                "unknown", f'Field "{type_name}.{name}" of type "{target_name}" must have a '
                "selection of subfields."
            )
        if not composite and node.selection_set is not None:
            return FieldSetProblem(
                "unknown", f'Field "{type_name}.{name}" must not have a selection since type '
                f'"{field_def.type}" has no subfields.'
            )
        if node.selection_set is not None:
            problem = _walk(sub, target_name, node.selection_set, walk,
                            reject_abstract=reject_abstract, hint=hint, top=False)
            if problem:
                return problem
    return None


def provided_fields(sub: Subgraph) -> set[tuple[str, str]]:
    """(type, field) pairs some @provides of ``sub`` selects: resolvable there on that path."""
    found: set[tuple[str, str]] = set()
    for typedef in sub.types.values():
        for field_def in typedef.fields.values():
            for provides in field_def.applied("provides"):
                walk, _ = walk_field_set(sub, base_type(field_def.type),
                                         provides.string_arg("fields") or "")
                found |= walk.touched
    return found


def leaves_without_external(sub: Subgraph, type_name: str, fields: str) -> list[str]:
    """Leaf fields of a @requires/@provides selection with no @external on their path.

    Such a field is already resolved by this subgraph, so naming it in the
    selection is a mistake (Apollo: *_FIELDS_MISSING_EXTERNAL).
    """
    selection = parse_field_set(fields)
    found: list[str] = []
    if isinstance(selection, GraphQLSyntaxError):
        return found

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
            external = covered or field_def.has("external")
            if node.selection_set is None:
                if not external:
                    found.append(f"{owner}.{field_def.name}")
            else:
                visit(base_type(field_def.type), node.selection_set, external)

    visit(type_name, selection, False)
    return found
