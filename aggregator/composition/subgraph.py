"""Read one subgraph SDL into the normalised model of ``model.py``.

This is where the many spellings of the same schema become one: ``@link``
imports with renames (``{name: "@key", as: "@primaryKey"}``), namespaced
names (``@federation__key``), Federation 1 subgraphs without ``@link``,
``extend type`` blocks, custom root type names, and the federation plumbing
that subgraphs expose but the supergraph must not contain.
"""

from __future__ import annotations

import re

from graphql import GraphQLSyntaxError, parse
from graphql.language import (
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    print_ast,
)

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.graphql_validity import check_graphql
from aggregator.composition.model import (
    AppliedDirective,
    EnumValueDef,
    FieldDef,
    InputValueDef,
    LinkedSpec,
    Subgraph,
    TypeDef,
    TypeKind,
    rename_base,
)

#: federation directive -> the first federation v2.N that defines it.
SINCE_MINOR = {
    "key": 0,
    "requires": 0,
    "provides": 0,
    "external": 0,
    "shareable": 0,
    "override": 0,
    "inaccessible": 0,
    "tag": 0,
    "extends": 0,
    "interfaceObject": 1,
    "composeDirective": 1,
    "authenticated": 5,
    "requiresScopes": 5,
    "policy": 6,
    "context": 8,
    "fromContext": 8,
    "cost": 9,
    "listSize": 9,
}
FEDERATION_DIRECTIVES = frozenset(SINCE_MINOR)
FED1_DIRECTIVES = frozenset(
    {"key", "requires", "provides", "external", "extends", "tag", "inaccessible"}
)
PLUMBING_TYPES = frozenset(
    {
        "_Any",
        "_Entity",
        "_Service",
        "_FieldSet",
        "FieldSet",
        "link__Import",
        "link__Purpose",
        "federation__FieldSet",
        "federation__Scope",
        "federation__Policy",
        "federation__ContextFieldValue",
        "Scope",
        "Policy",
    }
)
PLUMBING_ROOT_FIELDS = frozenset({"_service", "_entities"})
ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
MAX_FEDERATION_MINOR = 14  # federation v2.14, the newest @apollo/composition 2.14 knows
FEDERATION_URL = re.compile(r"^https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)$")

_KIND_OF = {
    ObjectTypeDefinitionNode: TypeKind.OBJECT,
    ObjectTypeExtensionNode: TypeKind.OBJECT,
    InterfaceTypeDefinitionNode: TypeKind.INTERFACE,
    InterfaceTypeExtensionNode: TypeKind.INTERFACE,
    UnionTypeDefinitionNode: TypeKind.UNION,
    UnionTypeExtensionNode: TypeKind.UNION,
    EnumTypeDefinitionNode: TypeKind.ENUM,
    EnumTypeExtensionNode: TypeKind.ENUM,
    InputObjectTypeDefinitionNode: TypeKind.INPUT_OBJECT,
    InputObjectTypeExtensionNode: TypeKind.INPUT_OBJECT,
    ScalarTypeDefinitionNode: TypeKind.SCALAR,
    ScalarTypeExtensionNode: TypeKind.SCALAR,
}


def parse_subgraph(name: str, sdl: str) -> DocumentNode | CompositionError:
    """The subgraph's SDL as a document, or its syntax error."""
    try:
        return parse(sdl)
    except GraphQLSyntaxError as error:
        return CompositionError(
            CompositionErrorCode.INVALID_GRAPHQL, f"[{name}] {error.message}", subgraph=name
        )


def read_subgraph(name: str, url: str, document: DocumentNode) -> Subgraph | list[CompositionError]:
    """Normalise one parsed subgraph, or say why it is not a valid schema."""
    reader = _Reader(name, url, document)
    if reader.errors:
        return reader.errors
    invalid = reader.root_type_clashes() or check_graphql(
        name, document, fed2=reader.fed2, aliases=reader.aliases
    )
    if invalid:
        return invalid
    subgraph = reader.read()
    return reader.errors or subgraph


class _Reader:
    def __init__(self, name: str, url: str, document: DocumentNode) -> None:
        self.document = document
        self.aliases: dict[str, str] = {}
        self.roots: dict[str, str] = {}
        self.links: list[LinkedSpec] = []
        self.composed: list[str] = []
        self.errors: list[CompositionError] = []
        self.imported_as: dict[str, str] = {}
        self.name = name
        fed = self._read_schema_links()
        self.fed2 = fed is not None
        self.subgraph = Subgraph(
            name, url, fed2=fed is not None, fed_minor=fed if fed is not None else 0
        )
        if fed is None:
            self.aliases = {n: n for n in FED1_DIRECTIVES}

    def _schema_directives(self) -> list[ConstDirectiveNode]:
        found: list[ConstDirectiveNode] = []
        for node in self.document.definitions:
            if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
                found.extend(node.directives or ())
                for op in node.operation_types or ():
                    self.roots[op.type.name.value] = ROOTS[op.operation.value]
        return found

    def _read_schema_links(self) -> int | None:
        fed_minor: int | None = None
        directives = self._schema_directives()
        for directive in directives:
            if directive.name.value != "link":
                continue
            args = {a.name.value: a.value for a in directive.arguments or ()}
            url_node = args.get("url")
            if not isinstance(url_node, StringValueNode):
                continue
            imports, bad_imports = _imports(args.get("import"))
            for bad in bad_imports:
                self.errors.append(
                    CompositionError(
                        CompositionErrorCode.INVALID_LINK_DIRECTIVE_USAGE,
                        f"[{self.name}] Invalid value {bad} in @link(import:) argument: names must "
                        "be strings",
                        self.name,
                    )
                )
            match = FEDERATION_URL.match(url_node.value)
            if match is None:
                self.links.append(LinkedSpec(url_node.value, [src for src, _ in imports]))
                for src, local in imports:
                    self.aliases[local.lstrip("@")] = src.lstrip("@")
                continue
            fed_minor = int(match.group(2))
            if match.group(1) != "2" or fed_minor > MAX_FEDERATION_MINOR:
                self.errors.append(
                    CompositionError(
                        CompositionErrorCode.UNKNOWN_FEDERATION_LINK_VERSION,
                        f"[{self.name}] Invalid version v{match.group(1)}.{match.group(2)} for the "
                        "federation feature in @link directive on schema",
                        self.name,
                    )
                )
            as_node = args.get("as")
            prefix = as_node.value if isinstance(as_node, StringValueNode) else "federation"
            for spec_name in FEDERATION_DIRECTIVES:
                self.aliases[f"{prefix}__{spec_name}"] = spec_name
            for src, local in imports:
                since = SINCE_MINOR.get(src.lstrip("@"))
                if src.startswith("@") and (since is None or since > fed_minor):
                    self.errors.append(
                        CompositionError(
                            CompositionErrorCode.INVALID_LINK_DIRECTIVE_USAGE,
                            f'[{self.name}] Cannot import unknown element "{src}".',
                            self.name,
                        )
                    )
                elif src.startswith("@"):
                    self.aliases[local.lstrip("@")] = src.lstrip("@")
                    self.imported_as[src.lstrip("@")] = local.lstrip("@")
        for directive in directives:
            canonical = self.aliases.get(directive.name.value)
            if canonical == "composeDirective":
                for arg in directive.arguments or ():
                    if isinstance(arg.value, StringValueNode):
                        self.composed.append(arg.value.value.lstrip("@"))
        return fed_minor

    def root_type_clashes(self) -> list[CompositionError]:
        """A custom root type name while a type has the default name is ambiguous."""
        defined = {
            d.name.value for d in self.document.definitions if isinstance(d, TypeDefinitionNode)
        }
        errors = []
        for custom, default in self.roots.items():
            if custom != default and default in defined:
                operation = next(op for op, name in ROOTS.items() if name == default)
                errors.append(
                    CompositionError(
                        CompositionErrorCode[f"ROOT_{operation.upper()}_USED"],
                        f'[{self.name}] The schema has a type named "{default}" '
                        "but it is not set as "
                        f'the {operation} root type ("{custom}" is instead): this is not supported',
                        self.name,
                        default,
                    )
                )
        return errors

    def read(self) -> Subgraph:
        sub = self.subgraph
        sub.links = self.links
        sub.composed = self.composed
        sub.imported_as = self.imported_as
        extension_only: dict[str, bool] = {}
        for node in self.document.definitions:
            if isinstance(node, DirectiveDefinitionNode):
                canonical = self.aliases.get(node.name.value)
                is_federation = (
                    canonical in FEDERATION_DIRECTIVES and canonical not in self.composed
                )
                if not is_federation and node.name.value != "link":
                    sub.directive_defs[node.name.value] = node
            elif isinstance(node, TypeDefinitionNode | TypeExtensionNode):
                type_name = self.roots.get(node.name.value, node.name.value)
                if type_name in PLUMBING_TYPES:
                    continue
                is_ext = isinstance(node, TypeExtensionNode)
                extension_only[type_name] = extension_only.get(type_name, True) and is_ext
                self._fold(type_name, node)
        for type_name, only_ext in extension_only.items():
            typedef = sub.types[type_name]
            typedef.only_extensions = only_ext
            # Fed 1 extensions of types defined elsewhere are plain definitions.
            typedef.extension = sub.fed2 and (only_ext or typedef.has("extends"))
            if not sub.fed2 and (only_ext or typedef.has("extends")):
                for directive in typedef.directives:
                    directive.in_extension = False
        _spread_type_level_external(sub)
        if "Query" not in sub.types:
            sub.types["Query"] = TypeDef(kind=TypeKind.OBJECT, name="Query")
        return sub

    def _directives(self, nodes: object) -> list[AppliedDirective]:
        result: list[AppliedDirective] = []
        for node in nodes or ():  # type: ignore[attr-defined]
            name = node.name.value
            canonical = self.aliases.get(name, name)
            args = {a.name.value: a.value for a in node.arguments or ()}
            result.append(AppliedDirective(canonical, args))
        return result

    def _type(self, node: object) -> str:
        return rename_base(print_ast(node), self.roots)  # type: ignore[arg-type]

    def _input_value(self, node: InputValueDefinitionNode) -> InputValueDef:
        return InputValueDef(
            name=node.name.value,
            type=self._type(node.type),
            default=node.default_value,
            description=node.description.value if node.description else None,
            directives=self._directives(node.directives),
        )

    def _field(self, node: FieldDefinitionNode) -> FieldDef:
        return FieldDef(
            name=node.name.value,
            type=self._type(node.type),
            args={a.name.value: self._input_value(a) for a in node.arguments or ()},
            description=node.description.value if node.description else None,
            directives=self._directives(node.directives),
        )

    def _duplicate(self, field_name: str, type_name: str) -> None:
        self.errors.append(
            CompositionError(
                CompositionErrorCode.INVALID_GRAPHQL,
                f"[{self.name}] Field {field_name} already exists on {type_name}",
                self.name,
                f"{type_name}.{field_name}",
            )
        )

    def _fold(self, type_name: str, node: TypeDefinitionNode | TypeExtensionNode) -> None:
        kind = _KIND_OF[type(node)]
        types = self.subgraph.types
        typedef = types.get(type_name)
        if typedef is None:
            typedef = types[type_name] = TypeDef(kind=kind, name=type_name)
        description = getattr(node, "description", None)
        if description is not None and typedef.description is None:
            typedef.description = description.value
        directives = self._directives(node.directives)
        for directive in directives:
            directive.in_extension = isinstance(node, TypeExtensionNode)
        typedef.directives.extend(directives)
        shareable_block = any(d.name == "shareable" for d in directives)
        for field_node in getattr(node, "fields", None) or ():
            if isinstance(field_node, FieldDefinitionNode):
                if type_name in ROOTS.values() and field_node.name.value in PLUMBING_ROOT_FIELDS:
                    continue
                if field_node.name.value in typedef.fields:
                    self._duplicate(field_node.name.value, type_name)
                typedef.fields[field_node.name.value] = self._field(field_node)
                if shareable_block:
                    typedef.shareable_fields.add(field_node.name.value)
            elif isinstance(field_node, InputValueDefinitionNode):
                if field_node.name.value in typedef.input_fields:
                    self._duplicate(field_node.name.value, type_name)
                typedef.input_fields[field_node.name.value] = self._input_value(field_node)
        for interface in getattr(node, "interfaces", None) or ():
            if interface.name.value not in typedef.interfaces:
                typedef.interfaces.append(interface.name.value)
        for member in getattr(node, "types", None) or ():
            if member.name.value not in typedef.members:
                typedef.members.append(member.name.value)
        for value in getattr(node, "values", None) or ():
            typedef.values[value.name.value] = EnumValueDef(
                name=value.name.value,
                description=value.description.value if value.description else None,
                directives=self._directives(value.directives),
            )


def _spread_type_level_external(sub: Subgraph) -> None:
    """``type T @external`` marks every field of T @external (Federation 2).

    Federation 1 gave the type-level directive no meaning, and Apollo's upgrade
    drops it, so there it is simply removed.
    """
    for typedef in sub.types.values():
        if typedef.kind is not TypeKind.OBJECT or not typedef.has("external"):
            continue
        typedef.directives = [d for d in typedef.directives if d.name != "external"]
        if not sub.fed2:
            continue
        for field_def in typedef.fields.values():
            if not field_def.has("external"):
                field_def.directives.append(AppliedDirective("external"))


def _imports(node: object) -> tuple[list[tuple[str, str]], list[str]]:
    """``import:`` entries as (name in the spec, name in this schema), and unusable entries."""
    if not isinstance(node, ListValueNode):
        return [], []
    result: list[tuple[str, str]] = []
    bad: list[str] = []
    for item in node.values:
        if isinstance(item, StringValueNode):
            result.append((item.value, item.value))
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: f.value for f in item.fields}
            src, local = fields.get("name"), fields.get("as")
            if isinstance(src, StringValueNode) and (
                local is None or isinstance(local, StringValueNode)
            ):
                alias = local.value if isinstance(local, StringValueNode) else src.value
                result.append((src.value, alias))
            else:
                bad.append(print_ast(item))
        else:
            bad.append(print_ast(item))
    return result, bad
