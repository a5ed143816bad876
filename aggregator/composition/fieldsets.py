"""Field sets (the ``fields:`` strings of @key, @requires, @provides).

A field set is a selection set without its braces; it is parsed with
graphql-core and walked against one subgraph's types. Walking reports the
first problem as text, and records which fields were selected. What the
selections mean for @external (which fields are used, provided, must be
external) is in ``field_usage.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from graphql import GraphQLSyntaxError
from graphql.language import (
    FieldNode,
    InlineFragmentNode,
    SelectionSetNode,
    TokenKind,
    print_ast,
)
from graphql.language.parser import Parser

from aggregator.composition.field_arguments import arguments_problem
from aggregator.composition.model import Subgraph, TypeKind, base_type


@dataclass
class FieldSetProblem:
    kind: str  # "syntax" | "unknown" | "invalid_type" | "has_args" | "directive"
    message: str


@dataclass
class Walk:
    """What a walk of one field set touched: (type, field) pairs."""

    touched: set[tuple[str, str]] = field(default_factory=set)


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
    directive: str = "key",
    reject_abstract: bool = False,
    allow_args: bool = False,
    hint: str = "",
) -> tuple[Walk, FieldSetProblem | None]:
    """Walk ``fields`` from ``type_name`` in ``sub``; the first problem found, if any.

    ``directive`` (key, requires, provides) names the field set in messages;
    ``allow_args``: fields with arguments may be selected (as in @requires),
    and the arguments given must then be valid for the field.
    """
    walk = Walk()
    selection = parse_field_set(fields)
    if isinstance(selection, GraphQLSyntaxError):
        return walk, FieldSetProblem("syntax", f"invalid field set: {selection.message}")
    if not selection.selections:
        return walk, FieldSetProblem("syntax", 'invalid field set: Expected Name, found "}".')
    rules = _Rules(directive, reject_abstract, allow_args, hint)
    return walk, _walk(sub, type_name, selection, walk, rules)


@dataclass(frozen=True)
class _Rules:
    directive: str
    reject_abstract: bool
    allow_args: bool
    hint: str


def _directive_problem(node: FieldNode | InlineFragmentNode, rules: _Rules) -> FieldSetProblem:
    found = ", ".join(print_ast(d) for d in node.directives or ())
    return FieldSetProblem(
        "directive",
        f"cannot have directive applications in the @{rules.directive}(fields:) "
        f"argument but found {found}.",
    )


def _walk(
    sub: Subgraph,
    type_name: str,
    selection: SelectionSetNode,
    walk: Walk,
    rules: _Rules,
) -> FieldSetProblem | None:
    typedef = sub.types.get(type_name)
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            if node.directives:
                return _directive_problem(node, rules)
            condition = node.type_condition.name.value if node.type_condition else type_name
            problem = _walk(sub, condition, node.selection_set, walk, rules)
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
                "unknown", f'Cannot query field "{name}" on type "{type_name}"{rules.hint}.'
            )
        walk.touched.add((type_name, name))
        if node.directives:
            return _directive_problem(node, rules)
        if node.alias is not None:
            return FieldSetProblem(
                "unknown",
                f'Cannot use alias "{node.alias.value}" in "{print_ast(node)}": aliases '
                f"are not currently supported in @{rules.directive}",
            )
        if field_def.args and not rules.allow_args:
            return FieldSetProblem(
                "has_args",
                f"field {type_name}.{name} cannot be included because it has "
                f"arguments (fields with argument are not allowed in @{rules.directive})",
            )
        argument_problem = arguments_problem(sub, f"{type_name}.{name}", field_def, node)
        if argument_problem is not None:
            return FieldSetProblem("unknown", argument_problem)
        target_name = base_type(field_def.type)
        target = sub.types.get(target_name)
        if target and rules.reject_abstract and target.kind in (TypeKind.INTERFACE, TypeKind.UNION):
            return FieldSetProblem(
                "invalid_type",
                f'field "{type_name}.{name}" is a {target.kind.value.split()[0]} type which is '
                "not allowed in @key",
            )
        composite = target is not None and target.kind in (
            TypeKind.OBJECT,
            TypeKind.INTERFACE,
            TypeKind.UNION,
        )
        if composite and node.selection_set is None:
            return FieldSetProblem(
                "unknown",
                f'Field "{type_name}.{name}" of type "{target_name}" must have a '
                "selection of subfields.",
            )
        if not composite and node.selection_set is not None:
            return FieldSetProblem(
                "unknown",
                f'Field "{type_name}.{name}" must not have a selection since type '
                f'"{field_def.type}" has no subfields.',
            )
        if node.selection_set is not None:
            problem = _walk(sub, target_name, node.selection_set, walk, rules)
            if problem:
                return problem
    return None
