"""Arguments written inside a field set, as in ``@requires(fields: "price(currency: EUR)")``.

The gateway sends these literals to the subgraph as they are written, so a
wrong one would only fail at request time; composition checks them the way
GraphQL validation checks an operation: every argument exists, every
required one is given, and each literal fits its input type (field sets have
no variables). Where Apollo is more lenient (an enum value written as a
string, a required input object field left out), so is this check.
"""

from __future__ import annotations

from graphql.language import (
    BooleanValueNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    print_ast,
)

from aggregator.composition.model import FieldDef, InputValueDef, Subgraph, TypeKind

_SCALAR_LITERALS: dict[str, tuple[type[ValueNode], ...]] = {
    "Int": (IntValueNode,),
    "Float": (IntValueNode, FloatValueNode),
    "String": (StringValueNode,),
    "Boolean": (BooleanValueNode,),
    "ID": (StringValueNode, IntValueNode),
}


def arguments_problem(
    sub: Subgraph, coordinate: str, field_def: FieldDef, node: FieldNode
) -> str | None:
    """Why the arguments ``node`` passes to ``field_def`` are invalid, or None."""
    given = {argument.name.value: argument.value for argument in node.arguments or ()}
    for name, value in given.items():
        definition = field_def.args.get(name)
        if definition is None:
            return f'Unknown argument "{name}" on field "{coordinate}".'
        if not _fits(sub, definition.type, value):
            return (
                f'Argument "{name}" on field "{coordinate}" has invalid value '
                f'{print_ast(value)}: expected type "{definition.type}".'
            )
    for definition in field_def.args.values():
        if definition.name not in given and _required(definition):
            return (
                f'Field "{coordinate}" argument "{definition.name}" of type '
                f'"{definition.type}" is required, but it was not provided.'
            )
    return None


def _required(definition: InputValueDef) -> bool:
    return definition.type.endswith("!") and definition.default is None


def _fits(sub: Subgraph, type_ref: str, value: ValueNode) -> bool:
    """Whether literal ``value`` is a valid input for ``type_ref`` in ``sub``."""
    if isinstance(value, VariableNode):
        return False
    if isinstance(value, NullValueNode):
        return not type_ref.endswith("!")
    inner = type_ref.removesuffix("!")
    if inner.startswith("["):
        item = inner[1:-1]
        if isinstance(value, ListValueNode):
            return all(_fits(sub, item, v) for v in value.values)
        return _fits(sub, item, value)  # a single value is coerced to a one-item list
    scalar = _SCALAR_LITERALS.get(inner)
    if scalar is not None:
        return isinstance(value, scalar)
    typedef = sub.types.get(inner)
    if typedef is None:
        return False
    if typedef.kind is TypeKind.ENUM:  # Apollo also takes the value's name as a string
        return isinstance(value, EnumValueNode | StringValueNode) and value.value in typedef.values
    if typedef.kind is TypeKind.INPUT_OBJECT:
        # Like Apollo: unknown fields and wrong values fail, a missing required field does not.
        if not isinstance(value, ObjectValueNode):
            return False
        fields = {f.name.value: f.value for f in value.fields}
        return all(
            name in typedef.input_fields and _fits(sub, typedef.input_fields[name].type, v)
            for name, v in fields.items()
        )
    return True  # a custom scalar accepts any literal
