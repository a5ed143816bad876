"""Read a supergraph SDL (join v0.1 to v0.5) into a :class:`SupergraphModel`."""

from __future__ import annotations

from collections.abc import Iterable

from graphql.language import (
    BooleanValueNode,
    ConstDirectiveNode,
    ConstValueNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    print_ast,
)

from aggregator.supergraph.links import Links, SupergraphError
from aggregator.supergraph.model import (
    FieldModel,
    FieldSource,
    SubgraphInfo,
    SupergraphModel,
    TypeKind,
    TypeModel,
)

_KINDS: dict[type, TypeKind] = {
    ObjectTypeDefinitionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    UnionTypeDefinitionNode: "union",
    EnumTypeDefinitionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
}


def named_type(node: TypeNode) -> str:
    while isinstance(node, ListTypeNode | NonNullTypeNode):
        node = node.type
    return node.name.value  # type: ignore[attr-defined, no-any-return]


def _args(directive: ConstDirectiveNode) -> dict[str, ConstValueNode]:
    return {a.name.value: a.value for a in directive.arguments or ()}


def _string(value: ConstValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _bool(value: ConstValueNode | None, default: bool = False) -> bool:
    return value.value if isinstance(value, BooleanValueNode) else default


def _enum(value: ConstValueNode | None) -> str | None:
    return value.value if isinstance(value, EnumValueNode) else None


def _directives(node: object, name: str) -> Iterable[ConstDirectiveNode]:
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value == name:
            yield directive


class _Loader:
    def __init__(self, document: DocumentNode, links: Links) -> None:
        self.document = document
        self.links = links
        join = links.get("join")
        assert join is not None
        self.join = join
        inaccessible = links.get("inaccessible")
        self.inaccessible = inaccessible.directive("inaccessible") if inaccessible else None
        self.graphs: dict[str, SubgraphInfo] = {}  # enum value -> info

    def d(self, element: str) -> str:
        return self.join.directive(element)

    def graph(self, value: ConstValueNode | None) -> str | None:
        enum_value = _enum(value)
        if enum_value is None:
            return None
        info = self.graphs.get(enum_value)
        return info.name if info else None

    def load(self) -> SupergraphModel:
        definitions = [d for d in self.document.definitions if isinstance(d, TypeDefinitionNode)]
        graph_enum = self.join.prefix + "__Graph"
        for definition in definitions:
            if (
                isinstance(definition, EnumTypeDefinitionNode)
                and definition.name.value == graph_enum
            ):
                for value in definition.values or ():
                    for directive in _directives(value, self.d("graph")):
                        args = _args(directive)
                        self.graphs[value.name.value] = SubgraphInfo(
                            name=_string(args.get("name")) or value.name.value.lower(),
                            enum_value=value.name.value,
                            url=_string(args.get("url")) or "",
                        )
        if not self.graphs:
            raise SupergraphError(f"the supergraph declares no subgraphs (enum {graph_enum})")

        types: dict[str, TypeModel] = {}
        for definition in definitions:
            name = definition.name.value
            if self.links.owns_type(name):
                continue
            kind = _KINDS.get(type(definition))
            if kind is None:
                continue
            types[name] = self.type_model(definition, kind)

        possible: dict[str, list[str]] = {}
        for model in types.values():
            if model.kind == "object":
                for interface in model.interfaces:
                    possible.setdefault(interface, []).append(model.name)
            elif model.kind == "union":
                possible[model.name] = list(model.members)
        # interfaces implementing interfaces: their implementers are also possible
        query, mutation, subscription = self.root_names(types)
        return SupergraphModel(
            subgraphs={g.name: g for g in self.graphs.values()},
            types=types,
            query_type=query,
            mutation_type=mutation,
            subscription_type=subscription,
            possible={k: tuple(v) for k, v in possible.items()},
        )

    def root_names(self, types: dict[str, TypeModel]) -> tuple[str | None, str | None, str | None]:
        roots: dict[str, str] = {}
        for definition in self.document.definitions:
            if isinstance(definition, SchemaDefinitionNode):
                for op in definition.operation_types:
                    roots[op.operation.value] = op.type.name.value
        defaults = (("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription"))
        for kind, default in defaults:
            if kind not in roots and default in types:
                roots[kind] = default
        return roots.get("query"), roots.get("mutation"), roots.get("subscription")

    def is_inaccessible(self, node: object) -> bool:
        return self.inaccessible is not None and any(_directives(node, self.inaccessible))

    def type_model(self, definition: TypeDefinitionNode, kind: TypeKind) -> TypeModel:
        model = TypeModel(name=definition.name.value, kind=kind)
        owner: str | None = None
        for directive in _directives(definition, self.d("owner")):
            owner = self.graph(_args(directive).get("graph"))
        for directive in _directives(definition, self.d("type")):
            args = _args(directive)
            graph = self.graph(args.get("graph"))
            if graph is None:
                continue
            model.graphs.add(graph)
            key = _string(args.get("key"))
            if key is not None:
                model.all_keys.setdefault(graph, []).append(key)
                if _bool(args.get("resolvable"), True):
                    model.keys.setdefault(graph, []).append(key)
            if _bool(args.get("isInterfaceObject")):
                model.interface_object_in.add(graph)
        if not model.graphs:
            model.value_type = True
            model.graphs = {g.name for g in self.graphs.values()}

        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            model.interfaces = tuple(i.name.value for i in definition.interfaces or ())
            implements = self.names_per_graph(definition, "implements", "interface")
            for graph in model.graphs:
                # join v0.1 has no @join__implements: every graph implements every interface
                model.implements_in[graph] = (
                    implements.get(graph, set()) if implements else set(model.interfaces)
                )
            for field_def in definition.fields or ():
                field_model = self.field_model(model, field_def, owner)
                model.fields[field_model.name] = field_model
            self.add_key_fields(model)
        elif isinstance(definition, UnionTypeDefinitionNode):
            model.members = tuple(t.name.value for t in definition.types or ())
            members = self.names_per_graph(definition, "unionMember", "member")
            if members:
                model.members_in = members
            else:
                # before join v0.3 there is no @join__unionMember: every graph has every member
                for graph in model.graphs:
                    model.members_in[graph] = set(model.members)
        return model

    def names_per_graph(
        self, definition: TypeDefinitionNode, element: str, argument: str
    ) -> dict[str, set[str]]:
        """``@join__implements(graph:, interface:)`` / ``@join__unionMember(graph:, member:)``."""
        out: dict[str, set[str]] = {}
        for directive in _directives(definition, self.d(element)):
            args = _args(directive)
            graph = self.graph(args.get("graph"))
            name = _string(args.get(argument))
            if graph and name:
                out.setdefault(graph, set()).add(name)
        return out

    def field_model(
        self, parent: TypeModel, node: FieldDefinitionNode, owner: str | None
    ) -> FieldModel:
        field_model = FieldModel(
            name=node.name.value,
            parent=parent.name,
            named_type=named_type(node.type),
            type_str=print_ast(node.type),
            inaccessible=self.is_inaccessible(node),
        )
        entries = list(_directives(node, self.d("field")))
        graph_entries = [e for e in entries if self.graph(_args(e).get("graph")) is not None]
        if entries and not graph_entries:
            # `@join__field` with no graph: no subgraph defining this type resolves the field;
            # it comes from an @interfaceObject subgraph through one of the type's interfaces
            return field_model
        if not graph_entries:
            graphs = [owner] if owner is not None else sorted(parent.graphs)
            for graph in graphs:
                field_model.sources[graph] = FieldSource(graph)
            return field_model
        for entry in graph_entries:
            args = _args(entry)
            entry_graph = self.graph(args.get("graph"))
            assert entry_graph is not None
            graph = entry_graph
            external = _bool(args.get("external"))
            used_overridden = _bool(args.get("usedOverridden"))
            if external or used_overridden:
                field_model.external_in.add(graph)
                continue
            source = FieldSource(
                graph,
                requires=_string(args.get("requires")),
                provides=_string(args.get("provides")),
                type_str=_string(args.get("type")),
            )
            label = _string(args.get("overrideLabel"))
            if label is not None:
                # progressive @override: the overriding graph resolves the field while the
                # label is active, the overridden one while it is not
                field_model.labelled.append((label, "override" in args, source))
                continue
            field_model.sources[graph] = source
        return field_model

    def add_key_fields(self, model: TypeModel) -> None:
        """Fields named in a graph's own key are resolvable there (fed1 supergraphs omit this),
        unless the supergraph marks them ``external`` in that graph: then the graph only
        receives them in representations and cannot answer them itself."""
        for graph, keys in model.all_keys.items():
            for key in keys:
                for top in _top_level_names(key):
                    field_model = model.fields.get(top)
                    if (
                        field_model is not None
                        and graph not in field_model.sources
                        and graph not in field_model.external_in
                    ):
                        field_model.sources[graph] = FieldSource(graph)


def _top_level_names(field_set: str) -> list[str]:
    names: list[str] = []
    depth = 0
    token = ""
    for char in field_set + " ":
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char.isalnum() or char == "_":
            token += char
            continue
        if (token and depth == 0 and char != "{") or (token and char == "{" and depth == 1):
            names.append(token)
        token = ""
    return names


def load_supergraph(document: DocumentNode, links: Links) -> SupergraphModel:
    return _Loader(document, links).load()
