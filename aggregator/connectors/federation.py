"""Federation plumbing for a connector subgraph: the prelude, ``_entities``, ``_service``.

The connector SDL is what a schema author writes: federation directives are
imported with ``@link`` but not defined. To build an executable graphql-core
schema we add their definitions, the ``_Any``/``_Entity``/``_Service`` types
and the two root fields the gateway calls; the SDL reported in
``_service { sdl }`` is the author's SDL without the connector directives.
"""

from __future__ import annotations

from graphql import (
    BREAK,
    REMOVE,
    ArgumentNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaExtensionNode,
    StringValueNode,
    Visitor,
    print_ast,
    visit,
)

from aggregator.connectors.directives import CONNECTOR_DIRECTIVES

__all__ = ["entity_types", "federation_prelude", "service_sdl", "shareable_name"]

_FEDERATION_DIRECTIVES = {
    "link": "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])"
    " repeatable on SCHEMA",
    "key": "directive @key(fields: federation__FieldSet!, resolvable: Boolean = true)"
    " repeatable on OBJECT | INTERFACE",
    "requires": "directive @requires(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "provides": "directive @provides(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "external": "directive @external(reason: String) on OBJECT | FIELD_DEFINITION",
    "shareable": "directive @shareable repeatable on OBJECT | FIELD_DEFINITION",
    "inaccessible": "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
    " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION",
    "tag": "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE"
    " | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT"
    " | INPUT_FIELD_DEFINITION | SCHEMA",
    "override": "directive @override(from: String!, label: String) on FIELD_DEFINITION",
    "interfaceObject": "directive @interfaceObject on OBJECT",
    "composeDirective": "directive @composeDirective(name: String!) repeatable on SCHEMA",
    "authenticated": "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE"
    " | SCALAR | ENUM",
    "requiresScopes": "directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION"
    " | OBJECT | INTERFACE | SCALAR | ENUM",
    "policy": "directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT"
    " | INTERFACE | SCALAR | ENUM",
}


def _defined_names(document: DocumentNode) -> set[str]:
    names: set[str] = set()
    for definition in document.definitions:
        name = getattr(definition, "name", None)
        if name is not None:
            names.add(name.value)
    return names


def federation_prelude(document: DocumentNode, entities: list[str], has_query: bool) -> str:
    """SDL to append so ``document`` builds into an executable federation subgraph."""
    defined = _defined_names(document)
    directive_names = {
        d.name.value for d in document.definitions if isinstance(d, DirectiveDefinitionNode)
    }
    parts = [
        "scalar link__Import",
        "enum link__Purpose { SECURITY EXECUTION }",
        "scalar federation__FieldSet",
        "scalar _Any",
        "type _Service { sdl: String }",
    ]
    for name, definition in _FEDERATION_DIRECTIVES.items():
        if name not in directive_names:
            parts.append(definition)
            namespaced = f"directive @federation__{name}"
            parts.append(
                definition.replace(f"directive @{name}(", namespaced + "(").replace(
                    f"directive @{name} ", namespaced + " "
                )
            )
    root_fields = ["_service: _Service!"]
    if entities:
        parts.append(f"union _Entity = {' | '.join(entities)}")
        root_fields.append("_entities(representations: [_Any!]!): [_Entity]!")
    keyword = "extend type" if has_query else "type"
    parts.append(f"{keyword} Query {{ {' '.join(root_fields)} }}")
    return "\n".join(p for p in parts if _first_name(p) not in defined)


def _first_name(sdl: str) -> str:
    words = sdl.split()
    if words[0] in {"scalar", "enum", "type", "union"}:
        return words[1]
    return ""


def entity_types(document: DocumentNode) -> list[str]:
    """Object types with a resolvable ``@key``, in document order."""
    found: list[str] = []
    for definition in document.definitions:
        if not isinstance(definition, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode)):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in {"key", "federation__key"}:
                continue
            resolvable = next(
                (a for a in directive.arguments or () if a.name.value == "resolvable"), None
            )
            if resolvable is not None and getattr(resolvable.value, "value", True) is False:
                continue
            if definition.name.value not in found:
                found.append(definition.name.value)
    return found


class _StripConnectorDirectives(Visitor):
    def enter_directive(self, node: DirectiveNode, *_: object) -> object:
        return REMOVE if node.name.value in CONNECTOR_DIRECTIVES else None

    def enter_directive_definition(self, node: DirectiveDefinitionNode, *_: object) -> object:
        return REMOVE if node.name.value in CONNECTOR_DIRECTIVES else None


def service_sdl(document: DocumentNode) -> str:
    """The author's SDL as composition should see it: connector directives removed."""
    stripped = visit(document, _StripConnectorDirectives())
    kept = [
        d
        for d in stripped.definitions
        if not (isinstance(d, SchemaExtensionNode) and not d.directives and not d.operation_types)
    ]
    return print_ast(DocumentNode(definitions=tuple(kept))) + "\n"


def shareable_name(document: DocumentNode) -> str:
    """``shareable`` if the federation @link imports it, else the namespaced form."""
    found = "federation__shareable"

    class _Find(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> object:
            nonlocal found
            if node.name.value != "link":
                return None
            args: dict[str, ArgumentNode] = {a.name.value: a for a in node.arguments or ()}
            url = args.get("url")
            imports = args.get("import")
            if url is None or not isinstance(url.value, StringValueNode):
                return None
            if "specs.apollo.dev/federation" not in url.value.value:
                return None
            if imports is not None and isinstance(imports.value, ListValueNode):
                for value in imports.value.values:
                    if isinstance(value, StringValueNode) and value.value == "@shareable":
                        found = "shareable"
                        return BREAK
            return None

    visit(document, _Find())
    return found
