"""Rules that keep the API schema (the supergraph minus @inaccessible) valid.

Clients see the supergraph with every @inaccessible element removed. That
removal must leave a valid schema: nothing visible may point at a hidden
type, no visible type may be left empty, a hidden argument cannot be
required, a hidden field cannot implement a visible interface field, and a
visible default value cannot name a hidden enum value. Codes are Apollo's.
"""

from __future__ import annotations

from graphql.language import EnumValueNode, ListValueNode, ObjectValueNode, ValueNode

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.merge_context import Supergraph
from aggregator.composition.model import InputValueDef, TypeDef, TypeKind, base_type


def _hidden(element: object) -> bool:
    return any(d.name == "inaccessible" for d in getattr(element, "directives", ()))


def _enum_literals(value: ValueNode | None) -> list[str]:
    if isinstance(value, EnumValueNode):
        return [value.value]
    if isinstance(value, ListValueNode):
        return [v for item in value.values for v in _enum_literals(item)]
    if isinstance(value, ObjectValueNode):
        return [v for f in value.fields for v in _enum_literals(f.value)]
    return []


class _Checker:
    def __init__(self, supergraph: Supergraph) -> None:
        self.types = supergraph.types
        self.subgraphs = supergraph.subgraphs
        self.errors: list[CompositionError] = []

    def where(self, type_name: str) -> str:
        names = [s.name for s in self.subgraphs if type_name in s.types]
        quoted = ", ".join(f'"{n}"' for n in names)
        return f" (defined in subgraph{'s' if len(names) > 1 else ''} {quoted})"

    def fail(
        self, code: CompositionErrorCode, message: str, coordinate: str, type_name: str
    ) -> None:
        self.errors.append(
            CompositionError(code, message + self.where(type_name), coordinate=coordinate)
        )

    def type_hidden(self, name: str) -> bool:
        typedef = self.types.get(name)
        return typedef is not None and _hidden(typedef)

    def referenced(self, type_ref: str, by: str, owner: str) -> None:
        target = base_type(type_ref)
        if self.type_hidden(target):
            self.fail(
                CompositionErrorCode.REFERENCED_INACCESSIBLE,
                f'Type "{target}" is @inaccessible but is referenced by "{by}", which is '
                "in the API schema.",
                by,
                owner,
            )

    def input_value(self, value: InputValueDef, coordinate: str, owner: str, kind: str) -> None:
        if _hidden(value):
            if value.type.endswith("!") and value.default is None:
                self.fail(
                    CompositionErrorCode.REQUIRED_INACCESSIBLE,
                    f'{kind} "{coordinate}" is @inaccessible but is a required '
                    f"{kind.lower()} of its {'field' if kind == 'Argument' else 'type'}.",
                    coordinate,
                    owner,
                )
            return
        self.referenced(value.type, coordinate, owner)
        enum = self.types.get(base_type(value.type))
        if enum is not None and enum.kind is TypeKind.ENUM:
            for literal in _enum_literals(value.default):
                if literal in enum.values and _hidden(enum.values[literal]):
                    self.fail(
                        CompositionErrorCode.DEFAULT_VALUE_USES_INACCESSIBLE,
                        f'Enum value "{enum.name}.{literal}" is @inaccessible but is used '
                        f'in the default value of "{coordinate}", which is in the API '
                        "schema.",
                        coordinate,
                        owner,
                    )

    def visible_type(self, t: TypeDef) -> None:
        children: list[object]
        if t.kind in (TypeKind.OBJECT, TypeKind.INTERFACE):
            children = list(t.fields.values())
            for field in t.fields.values():
                if _hidden(field):
                    self.implemented_by_hidden(t, field.name)
                    continue
                coordinate = f"{t.name}.{field.name}"
                self.referenced(field.type, coordinate, t.name)
                for arg in field.args.values():
                    self.input_value(arg, f"{coordinate}({arg.name}:)", t.name, "Argument")
            for interface in t.interfaces:
                self.referenced(interface, t.name, t.name)
        elif t.kind is TypeKind.INPUT_OBJECT:
            children = list(t.input_fields.values())
            for input_field in t.input_fields.values():
                self.input_value(input_field, f"{t.name}.{input_field.name}", t.name, "Input field")
        elif t.kind is TypeKind.ENUM:
            children = list(t.values.values())
        elif t.kind is TypeKind.UNION:
            children = [self.types[m] for m in t.members if m in self.types]
        else:
            return
        if children and all(_hidden(c) for c in children):
            what = {TypeKind.ENUM: "values", TypeKind.UNION: "types"}.get(t.kind, "fields")
            self.fail(
                CompositionErrorCode.ONLY_INACCESSIBLE_CHILDREN,
                f'Type "{t.name}" is in the API schema but all of its {what} are @inaccessible.',
                t.name,
                t.name,
            )

    def implemented_by_hidden(self, t: TypeDef, field_name: str) -> None:
        for interface_name in t.interfaces:
            interface = self.types.get(interface_name)
            if interface is None or _hidden(interface):
                continue
            field = interface.fields.get(field_name)
            if field is not None and not _hidden(field):
                self.fail(
                    CompositionErrorCode.IMPLEMENTED_BY_INACCESSIBLE,
                    f'Field "{t.name}.{field_name}" is @inaccessible but implements the '
                    f'interface field "{interface_name}.{field_name}", which is in the API '
                    "schema.",
                    f"{t.name}.{field_name}",
                    t.name,
                )

    def run(self) -> list[CompositionError]:
        query = self.types.get("Query")
        if query is not None and _hidden(query):
            self.fail(
                CompositionErrorCode.QUERY_ROOT_TYPE_INACCESSIBLE,
                'Type "Query" is @inaccessible but is the query root type, which must be '
                "in the API schema.",
                "Query",
                "Query",
            )
        for t in self.types.values():
            if not _hidden(t):
                self.visible_type(t)
        return self.errors


def check_inaccessible(supergraph: Supergraph) -> list[CompositionError]:
    return _Checker(supergraph).run()
