"""Rewrite ``@paginate`` list fields into Relay connection fields, in the SDL itself.

The author writes ``returns: [TaxReturn!]! @rest(...) @paginate(...)``; the
subgraph exposes ``returns(first, after, last, before): TaxReturnConnection!``
(a nullable list gives a nullable connection)
with generated ``TaxReturnConnection``/``TaxReturnEdge`` types and a shareable
``PageInfo``. Doing it on the AST means the SDL reported to composition and
the executable schema are the same thing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    ListTypeNode,
    NamedTypeNode,
    Node,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeNode,
    parse,
)

from aggregator.connectors.directives import ConnectorSchemaError

__all__ = ["expand_connections"]

_ARGS = "first: Int, after: String, last: Int, before: String"


_N = TypeVar("_N", bound=Node)


def _replace(node: _N, **changes: Any) -> _N:
    values = {key: getattr(node, key) for key in node.keys}
    values.update(changes)
    return type(node)(**values)


def _list_item(type_node: TypeNode) -> str | None:
    inner = type_node.type if isinstance(type_node, NonNullTypeNode) else type_node
    if not isinstance(inner, ListTypeNode):
        return None
    item = inner.type.type if isinstance(inner.type, NonNullTypeNode) else inner.type
    return item.name.value if isinstance(item, NamedTypeNode) else None


def expand_connections(document: DocumentNode, shareable: str) -> tuple[DocumentNode, set[str]]:
    """The rewritten document, and the coordinates (``Type.field``) that became connections."""
    defined = {d.name.value for d in document.definitions if hasattr(d, "name") and d.name}
    generated: list[str] = []
    coordinates: set[str] = set()
    definitions = []
    for definition in document.definitions:
        if not isinstance(definition, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode)):
            definitions.append(definition)
            continue
        fields = []
        changed = False
        for field in definition.fields or ():
            if not any(d.name.value == "paginate" for d in field.directives or ()):
                fields.append(field)
                continue
            coordinate = f"{definition.name.value}.{field.name.value}"
            item = _list_item(field.type)
            if item is None:
                raise ConnectorSchemaError(f"{coordinate}: @paginate needs a list type")
            names = {a.name.value for a in field.arguments or ()}
            if names & {"first", "after", "last", "before"}:
                raise ConnectorSchemaError(
                    f"{coordinate}: @paginate adds first/after/last/before itself"
                )
            # the author's nullability carries over (a nullable list: a nullable connection)
            bang = "!" if isinstance(field.type, NonNullTypeNode) else ""
            extra = parse(f"type X {{ f({_ARGS}): {item}Connection{bang} }}").definitions[0]
            assert isinstance(extra, ObjectTypeDefinitionNode)
            assert extra.fields
            template = extra.fields[0]
            fields.append(
                _replace(
                    field,
                    arguments=(*(field.arguments or ()), *(template.arguments or ())),
                    type=template.type,
                )
            )
            coordinates.add(coordinate)
            changed = True
            if f"{item}Connection" not in defined:
                defined.update({f"{item}Connection", f"{item}Edge"})
                generated.append(
                    f"type {item}Connection {{ edges: [{item}Edge!]! nodes: [{item}!]!"
                    f" pageInfo: PageInfo! totalCount: Int }}\n"
                    f"type {item}Edge {{ cursor: String! node: {item}! }}"
                )
            if "PageInfo" not in defined:
                defined.add("PageInfo")
                generated.append(
                    f"type PageInfo @{shareable} {{ hasNextPage: Boolean! hasPreviousPage: Boolean!"
                    " startCursor: String endCursor: String }"
                )
        definitions.append(_replace(definition, fields=tuple(fields)) if changed else definition)
    if generated:
        definitions.extend(parse("\n".join(generated)).definitions)
    return DocumentNode(definitions=tuple(definitions)), coordinates
