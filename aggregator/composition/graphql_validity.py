"""Is a subgraph SDL a valid GraphQL schema, federation definitions included?

Subgraph SDLs lean on definitions they do not spell out (``@key``,
``FieldSet``...) and on extensions of types defined elsewhere. To check the
rest with graphql-core's own schema building and validation, the document is
completed first: federation directive definitions are added under the names
this subgraph uses, and extensions of types defined in no block of this
subgraph become definitions. Whatever graphql-core then rejects is
INVALID_GRAPHQL, as with Apollo (which runs graphql-js the same way).
"""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLError, GraphQLSchema, build_ast_schema, parse, validate_schema
from graphql.language import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    ExecutableDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)
from graphql.pyutils import Undefined
from graphql.utilities import value_from_ast

from aggregator.composition.errors import CompositionError, CompositionErrorCode

_LOCATIONS_ALL = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | "
    "ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_AUTH_ON = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"

#: canonical federation directive -> its definition, ``{FieldSet}`` etc. filled in per subgraph
_DEFINITIONS = {
    "key": "directive @{name}(fields: {FieldSet}!, resolvable: Boolean = true) repeatable "
    "on OBJECT | INTERFACE",
    "requires": "directive @{name}(fields: {FieldSet}!) on FIELD_DEFINITION",
    "provides": "directive @{name}(fields: {FieldSet}!) on FIELD_DEFINITION",
    "external": "directive @{name}(reason: String) on OBJECT | FIELD_DEFINITION",
    "shareable": "directive @{name} repeatable on OBJECT | FIELD_DEFINITION",
    "override": "directive @{name}(from: String!, label: String) on FIELD_DEFINITION",
    "inaccessible": f"directive @{{name}} on {_LOCATIONS_ALL}",
    "tag": f"directive @{{name}}(name: String!) repeatable on {_LOCATIONS_ALL} | SCHEMA",
    "extends": "directive @{name} on OBJECT | INTERFACE",
    "interfaceObject": "directive @{name} on OBJECT",
    "composeDirective": "directive @{name}(name: String!) repeatable on SCHEMA",
    "authenticated": f"directive @{{name}} on {_AUTH_ON}",
    "requiresScopes": f"directive @{{name}}(scopes: [[{{Scope}}!]!]!) on {_AUTH_ON}",
    "policy": f"directive @{{name}}(policies: [[{{Policy}}!]!]!) on {_AUTH_ON}",
    "cost": "directive @{name}(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
    "INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
    "listSize": "directive @{name}(assumedSize: Int, slicingArguments: [String!], sizedFields: "
    "[String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
    "context": "directive @{name}(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "fromContext": "directive @{name}(field: {ContextFieldValue}) on ARGUMENT_DEFINITION",
}
_LINK = (
    "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) "
    "repeatable on SCHEMA"
)
_PRELUDE_TYPES = {
    "link__Import": "scalar link__Import",
    "link__Purpose": "enum link__Purpose { SECURITY EXECUTION }",
}

_AS_DEFINITION = {
    ObjectTypeExtensionNode: ObjectTypeDefinitionNode,
    InterfaceTypeExtensionNode: InterfaceTypeDefinitionNode,
    UnionTypeExtensionNode: UnionTypeDefinitionNode,
    EnumTypeExtensionNode: EnumTypeDefinitionNode,
    InputObjectTypeExtensionNode: InputObjectTypeDefinitionNode,
    ScalarTypeExtensionNode: ScalarTypeDefinitionNode,
}


def _scalar_names(fed2: bool, aliases: dict[str, str]) -> dict[str, str]:
    if not fed2:
        return {
            "FieldSet": "_FieldSet",
            "Scope": "_Scope",
            "Policy": "_Policy",
            "ContextFieldValue": "_ContextFieldValue",
        }
    prefix = next(
        (
            local.split("__")[0]
            for local, canonical in aliases.items()
            if "__" in local and canonical == "key"
        ),
        "federation",
    )
    return {n: f"{prefix}__{n}" for n in ("FieldSet", "Scope", "Policy", "ContextFieldValue")}


def _prelude(document: DocumentNode, fed2: bool, aliases: dict[str, str]) -> list[DefinitionNode]:
    defined = {
        d.name.value
        for d in document.definitions
        if isinstance(d, DirectiveDefinitionNode | TypeDefinitionNode)
    }
    scalars = _scalar_names(fed2, aliases)
    if fed2 and any(a == "FieldSet" for a in aliases):
        scalars["FieldSet"] = "FieldSet"
    texts: list[str] = []
    for local, canonical in aliases.items():
        template = _DEFINITIONS.get(canonical)
        if template is not None and local not in defined:
            texts.append(template.format(name=local, **scalars))
    if "link" not in defined:
        texts.append(_LINK)
    for name, text in _PRELUDE_TYPES.items():
        if name not in defined:
            texts.append(text)
    for name in scalars.values():
        if name not in defined:
            texts.append(f"scalar {name}")
    return list(_parsed("\n".join(texts)))


@lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[DefinitionNode, ...]:
    """The prelude is the same text for most subgraphs: parse it once (nodes are never mutated)."""
    return tuple(parse(text).definitions)


def _complete(document: DocumentNode, fed2: bool, aliases: dict[str, str]) -> DocumentNode:
    with_definition = {
        d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)
    }
    definitions: list[DefinitionNode] = []
    for node in document.definitions:
        if isinstance(node, TypeExtensionNode) and node.name.value not in with_definition:
            with_definition.add(node.name.value)
            kind = _AS_DEFINITION[type(node)]
            keys: tuple[str, ...] = kind.keys  # type: ignore[attr-defined]
            fields = {k: getattr(node, k, None) for k in keys if k not in ("description", "loc")}
            definitions.append(kind(**fields))
        else:
            definitions.append(node)
    definitions.extend(_query_root(document, with_definition))
    return DocumentNode(definitions=(*definitions, *_prelude(document, fed2, aliases)))


def _query_root(document: DocumentNode, defined: set[str]) -> list[DefinitionNode]:
    """Every subgraph serves ``_service`` on its query root, so that root always exists."""
    root = "Query"
    for node in document.definitions:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            for op in node.operation_types or ():
                if op.operation.value == "query":
                    root = op.type.name.value
    has_service = any(
        isinstance(node, TypeDefinitionNode | TypeExtensionNode)
        and node.name.value == root
        and any(f.name.value == "_service" for f in getattr(node, "fields", None) or ())
        for node in document.definitions
    )
    if has_service:
        return []
    texts = [f"{'extend ' if root in defined else ''}type {root} {{ _service: _Service! }}"]
    if "_Service" not in defined:
        texts.append("type _Service { sdl: String }")
    return list(parse("\n".join(texts)).definitions)


def check_graphql(
    name: str, document: DocumentNode, *, fed2: bool, aliases: dict[str, str]
) -> list[CompositionError]:
    """INVALID_GRAPHQL errors of one subgraph document (empty when it is valid)."""

    def error(message: str) -> CompositionError:
        return CompositionError(CompositionErrorCode.INVALID_GRAPHQL, f"[{name}] {message}", name)

    if any(isinstance(d, ExecutableDefinitionNode) for d in document.definitions):
        return [error("Invalid executable definition found while building schema")]
    try:
        schema = build_ast_schema(_complete(document, fed2, aliases))
    except (GraphQLError, TypeError) as failure:
        lines = str(failure).split("\n\n")
        return [error(line.strip()) for line in lines if line.strip()]
    problems = [error(e.message) for e in validate_schema(schema)]
    return problems + [error(m) for m in _invalid_directive_values(schema, document)]


def _directive_holders(document: DocumentNode) -> list[tuple[str, object]]:
    """(coordinate, node) for every node of the document that can carry directives."""
    holders: list[tuple[str, object]] = []
    for node in document.definitions:
        type_name = getattr(getattr(node, "name", None), "value", "schema")
        holders.append((type_name, node))
        for child in getattr(node, "fields", None) or getattr(node, "values", None) or ():
            coordinate = f"{type_name}.{child.name.value}"
            holders.append((coordinate, child))
            for arg in getattr(child, "arguments", None) or ():
                holders.append((f"{coordinate}({arg.name.value}:)", arg))
    return holders


def _invalid_directive_values(schema: GraphQLSchema, document: DocumentNode) -> list[str]:
    found: list[str] = []
    for coordinate, node in _directive_holders(document):
        for applied in getattr(node, "directives", None) or ():
            directive = schema.get_directive(applied.name.value)
            if directive is None:
                continue
            for arg in applied.arguments or ():
                definition = directive.args.get(arg.name.value)
                if definition is not None and value_from_ast(arg.value, definition.type) is (
                    Undefined
                ):
                    found.append(
                        f'Invalid value for "@{directive.name}({arg.name.value}:)" of type '
                        f'"{definition.type}" in application of "@{directive.name}" to '
                        f'"{coordinate}".'
                    )
    return found
