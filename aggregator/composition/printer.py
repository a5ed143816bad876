"""Print a merged ``Supergraph`` as supergraph SDL.

Types are built as graphql-core AST nodes and printed with ``print_ast``;
the spec boilerplate (link, join and the optional specs) is fixed text from
``specs.py``. Types are printed sorted by name, as Apollo does.
"""

from __future__ import annotations

from typing import Any

from graphql.language import (
    ConstArgumentNode,
    ConstDirectiveNode,
    ConstValueNode,
    DefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    NameNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    StringValueNode,
    UnionTypeDefinitionNode,
    parse_type,
    print_ast,
)

from aggregator.composition.merge_context import Supergraph
from aggregator.composition.model import (
    AppliedDirective,
    EnumValueDef,
    FieldDef,
    InputValueDef,
    TypeDef,
    TypeKind,
)
from aggregator.composition.specs import (
    LINK_DEFINITIONS,
    OPTIONAL_SPECS,
    join_definitions,
    join_link,
    join_version,
)

ROOT_OPERATIONS = (("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription"))


def _name(value: str) -> NameNode:
    return NameNode(value=value)


def _description(text: str | None) -> StringValueNode | None:
    return StringValueNode(value=text, block=True) if text else None


class _TypePrinter:
    """Builds AST nodes for merged types; ``renames`` maps spec directives to imported names."""

    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def directives(self, directives: list[AppliedDirective]) -> tuple[ConstDirectiveNode, ...]:
        return tuple(
            ConstDirectiveNode(
                name=_name(self.renames.get(d.name, d.name)),
                arguments=tuple(
                    ConstArgumentNode(name=_name(k), value=v)  # type: ignore[arg-type]
                    for k, v in d.args.items()
                ),
            )
            for d in directives
        )

    def input_value(self, value: InputValueDef) -> InputValueDefinitionNode:
        default: ConstValueNode | None = value.default  # type: ignore[assignment]
        return InputValueDefinitionNode(
            name=_name(value.name),
            type=parse_type(value.type),
            default_value=default,
            description=_description(value.description),
            directives=self.directives(value.directives),
        )

    def field(self, field: FieldDef) -> FieldDefinitionNode:
        return FieldDefinitionNode(
            name=_name(field.name),
            type=parse_type(field.type),
            arguments=tuple(self.input_value(a) for a in field.args.values()),
            description=_description(field.description),
            directives=self.directives(field.directives),
        )

    def enum_value(self, value: EnumValueDef) -> EnumValueDefinitionNode:
        return EnumValueDefinitionNode(
            name=_name(value.name),
            description=_description(value.description),
            directives=self.directives(value.directives),
        )

    def type_node(self, t: TypeDef) -> DefinitionNode:
        common: dict[str, Any] = {
            "name": _name(t.name),
            "description": _description(t.description),
            "directives": self.directives(t.directives),
        }
        interfaces = tuple(NamedTypeNode(name=_name(i)) for i in t.interfaces)
        if t.kind is TypeKind.OBJECT:
            return ObjectTypeDefinitionNode(
                **common,
                interfaces=interfaces,
                fields=tuple(self.field(f) for f in t.fields.values()),
            )
        if t.kind is TypeKind.INTERFACE:
            return InterfaceTypeDefinitionNode(
                **common,
                interfaces=interfaces,
                fields=tuple(self.field(f) for f in t.fields.values()),
            )
        if t.kind is TypeKind.UNION:
            return UnionTypeDefinitionNode(
                **common, types=tuple(NamedTypeNode(name=_name(m)) for m in t.members)
            )
        if t.kind is TypeKind.ENUM:
            return EnumTypeDefinitionNode(
                **common, values=tuple(self.enum_value(v) for v in t.values.values())
            )
        if t.kind is TypeKind.INPUT_OBJECT:
            return InputObjectTypeDefinitionNode(
                **common, fields=tuple(self.input_value(f) for f in t.input_fields.values())
            )
        return ScalarTypeDefinitionNode(**common)


def _used_directives(supergraph: Supergraph) -> set[str]:
    used: set[str] = set()
    for t in supergraph.types.values():
        elements: list[list[AppliedDirective]] = [t.directives]
        for f in t.fields.values():
            elements.append(f.directives)
            elements.extend(a.directives for a in f.args.values())
        elements.extend(v.directives for v in t.values.values())
        elements.extend(i.directives for i in t.input_fields.values())
        for directives in elements:
            used.update(d.name for d in directives)
    return used


def print_supergraph(supergraph: Supergraph) -> str:
    version = join_version(max((s.fed_minor for s in supergraph.subgraphs), default=0))
    used = _used_directives(supergraph)
    links = ['@link(url: "https://specs.apollo.dev/link/v1.0")', join_link(version)]
    definitions = [LINK_DEFINITIONS, join_definitions(version)]
    renames = dict(supergraph.renames)
    if not any("listSize" in s.imported_as for s in supergraph.subgraphs):
        # Without an import of @listSize anywhere, Apollo names it in the cost namespace.
        renames["listSize"] = "cost__listSize"
    for (spec_link, spec_definition), names in OPTIONAL_SPECS:
        if used & names:
            link, definition = spec_link, spec_definition
            if "listSize" in renames and "listSize" in names:
                link = link.replace(', import: ["@listSize"]', "")
                definition = definition.replace("directive @listSize", "directive @cost__listSize")
            for name in sorted(names & set(supergraph.renames)):
                local = supergraph.renames[name]
                link = link[:-1] + f', import: [{{name: "@{name}", as: "@{local}"}}])'
                definition = definition.replace(f"directive @{name}", f"directive @{local}")
            links.append(link)
            definitions.append(definition)
    for url, imports in supergraph.composed_links:
        quoted = ", ".join(f'"{i}"' for i in imports)
        links.append(f'@link(url: "{url}", import: [{quoted}])')
    roots = [(op, name) for op, name in ROOT_OPERATIONS if name in supergraph.types]
    schema = (
        "schema\n"
        + "".join(f"  {link}\n" for link in links)
        + "{\n"
        + "".join(f"  {op}: {name}\n" for op, name in roots)
        + "}\n"
    )
    graph_values = "\n".join(
        f'  {value} @join__graph(name: "{name}", url: "{url}")'
        for name, value, url in sorted(
            (s.name, supergraph.graphs[s.name], s.url) for s in supergraph.subgraphs
        )
    )
    parts = [schema, *definitions]
    parts.extend(print_ast(d) + "\n" for d in supergraph.directive_defs)
    parts.append(f"enum join__Graph {{\n{graph_values}\n}}\n")
    printer = _TypePrinter(renames)
    for name in sorted(supergraph.types):
        node = printer.type_node(supergraph.types[name])
        parts.append(print_ast(DocumentNode(definitions=(node,))) + "\n")
    return "\n".join(parts)
