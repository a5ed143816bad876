"""The public API schema: what clients see of a supergraph.

Clients must see exactly what Apollo Gateway shows for the same supergraph:
no join/link machinery, nothing marked ``@inaccessible``, but descriptions,
``@deprecated`` and ``@specifiedBy`` kept. We get there by filtering the
supergraph's AST and letting graphql-core build (and validate) the result.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphql import GraphQLSchema, build_ast_schema
from graphql.language import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeNode,
    UnionTypeDefinitionNode,
)

from aggregator.supergraph.links import Links

_KEPT_DIRECTIVES = {"deprecated", "specifiedBy", "oneOf"}
_EXECUTABLE_LOCATIONS = {
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
}


def _base(node: TypeNode) -> str:
    while isinstance(node, ListTypeNode | NonNullTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def _copy(node: Any, **changes: Any) -> Any:
    # graphql-core 3.3 AST nodes are frozen dataclasses
    return dataclasses.replace(node, **changes)


def build_api_schema(document: DocumentNode, links: Links) -> GraphQLSchema:
    feature = links.get("inaccessible")
    inaccessible = feature.directive("inaccessible") if feature else None

    def hidden(node: Any) -> bool:
        return inaccessible is not None and any(
            d.name.value == inaccessible for d in node.directives or ()
        )

    def kept_directives(node: Any) -> tuple[Any, ...]:
        return tuple(d for d in node.directives or () if d.name.value in _KEPT_DIRECTIVES)

    removed_types = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode) and (links.owns_type(d.name.value) or hidden(d))
    }

    def visible_args(args: Any) -> tuple[InputValueDefinitionNode, ...]:
        return tuple(
            _copy(a, directives=kept_directives(a))
            for a in args or ()
            if not hidden(a) and _base(a.type) not in removed_types
        )

    def visible_fields(fields: Any) -> tuple[Any, ...]:
        out = []
        for f in fields or ():
            if hidden(f) or _base(f.type) in removed_types:
                continue
            if isinstance(f, FieldDefinitionNode):
                out.append(
                    _copy(f, directives=kept_directives(f), arguments=visible_args(f.arguments))
                )
            else:
                out.append(_copy(f, directives=kept_directives(f)))
        return tuple(out)

    definitions: list[Any] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            operation_types = tuple(
                o for o in definition.operation_types if o.type.name.value not in removed_types
            )
            definitions.append(_copy(definition, directives=(), operation_types=operation_types))
        elif isinstance(definition, SchemaExtensionNode):
            continue
        elif isinstance(definition, DirectiveDefinitionNode):
            name = definition.name.value
            if links.owns_directive(name) or name in ("link", "core"):
                continue
            if not any(loc.value in _EXECUTABLE_LOCATIONS for loc in definition.locations):
                continue
            definitions.append(_copy(definition, arguments=visible_args(definition.arguments)))
        elif isinstance(definition, TypeDefinitionNode):
            if definition.name.value in removed_types:
                continue
            changes: dict[str, Any] = {"directives": kept_directives(definition)}
            if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                changes["fields"] = visible_fields(definition.fields)
                changes["interfaces"] = tuple(
                    i for i in definition.interfaces or () if i.name.value not in removed_types
                )
            elif isinstance(definition, InputObjectTypeDefinitionNode):
                changes["fields"] = visible_fields(definition.fields)
            elif isinstance(definition, UnionTypeDefinitionNode):
                changes["types"] = tuple(
                    t for t in definition.types or () if t.name.value not in removed_types
                )
            elif isinstance(definition, EnumTypeDefinitionNode):
                changes["values"] = tuple(
                    _copy(v, directives=kept_directives(v))
                    for v in definition.values or ()
                    if not hidden(v)
                )
            definitions.append(_copy(definition, **changes))
    api_document = _copy(document, definitions=tuple(definitions))
    return build_ast_schema(api_document, assume_valid_sdl=True)
