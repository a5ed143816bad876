"""The supergraph as plain data the planner can ask questions of.

Everything here is derived once from the join directives and never changes
while a supergraph is served, so the planner's questions ("who resolves
Product.price?", "which keys can reach Product in reviews?") are dict lookups.
Subgraphs are identified by their service name (``join__graph(name:)``), the
name users see in plans and errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]


@dataclass(frozen=True, slots=True)
class SubgraphInfo:
    name: str
    enum_value: str
    url: str


@dataclass(frozen=True, slots=True)
class FieldSource:
    """A subgraph that can resolve a field, with what it needs and what it provides."""

    graph: str
    requires: str | None = None
    provides: str | None = None
    # the field's type in this subgraph when it differs from the supergraph's (join `type:`)
    type_str: str | None = None


@dataclass(slots=True)
class FieldModel:
    name: str
    parent: str
    named_type: str
    type_str: str
    sources: dict[str, FieldSource] = field(default_factory=dict)
    external_in: set[str] = field(default_factory=set)
    inaccessible: bool = False
    # progressive @override: (label, source is the overriding side, source)
    labelled: list[tuple[str, bool, FieldSource]] = field(default_factory=list)


@dataclass(slots=True)
class TypeModel:
    name: str
    kind: TypeKind
    graphs: set[str] = field(default_factory=set)
    # graph -> key field sets usable as an entity entry point (resolvable keys)
    keys: dict[str, list[str]] = field(default_factory=dict)
    # graph -> every key field set, including resolvable: false ones
    all_keys: dict[str, list[str]] = field(default_factory=dict)
    interface_object_in: set[str] = field(default_factory=set)
    fields: dict[str, FieldModel] = field(default_factory=dict)
    interfaces: tuple[str, ...] = ()
    implements_in: dict[str, set[str]] = field(default_factory=dict)  # graph -> interfaces
    members: tuple[str, ...] = ()
    members_in: dict[str, set[str]] = field(default_factory=dict)  # graph -> union members
    value_type: bool = False

    @property
    def is_abstract(self) -> bool:
        return self.kind in ("interface", "union")

    @property
    def is_composite(self) -> bool:
        return self.kind in ("object", "interface", "union")


@dataclass(slots=True)
class SupergraphModel:
    subgraphs: dict[str, SubgraphInfo]
    types: dict[str, TypeModel]
    query_type: str | None
    mutation_type: str | None
    subscription_type: str | None
    # interface/union name -> object types (supergraph level), in SDL order
    possible: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _label_views: dict[frozenset[str], SupergraphModel] = field(default_factory=dict)

    @property
    def override_labels(self) -> frozenset[str]:
        return frozenset(
            label
            for type_model in self.types.values()
            for field_model in type_model.fields.values()
            for label, _, _ in field_model.labelled
        )

    def with_active_labels(self, active: frozenset[str]) -> SupergraphModel:
        """This model with every progressive @override decided for one set of active labels."""
        cached = self._label_views.get(active)
        if cached is not None:
            return cached
        types = dict(self.types)
        for name, type_model in self.types.items():
            changed = {
                field_name: replace(
                    field_model,
                    sources={
                        **field_model.sources,
                        **{
                            source.graph: source
                            for label, overriding, source in field_model.labelled
                            if (label in active) == overriding
                        },
                    },
                    labelled=[],
                )
                for field_name, field_model in type_model.fields.items()
                if field_model.labelled
            }
            if changed:
                types[name] = replace(type_model, fields={**type_model.fields, **changed})
        view = replace(self, types=types, _label_views={})
        self._label_views[active] = view
        return view

    def root_type(self, operation: str) -> str | None:
        return {
            "query": self.query_type,
            "mutation": self.mutation_type,
            "subscription": self.subscription_type,
        }[operation]

    def possible_types(self, type_name: str) -> tuple[str, ...]:
        model = self.types[type_name]
        if model.kind == "object":
            return (type_name,)
        return self.possible.get(type_name, ())

    def possible_types_in(self, type_name: str, graph: str) -> tuple[str, ...]:
        """Object types a subgraph can return where it returns ``type_name``."""
        model = self.types[type_name]
        if model.kind == "object":
            return (type_name,) if graph in model.graphs else ()
        if model.kind == "union":
            members = model.members_in.get(graph)
            if members is None:
                return ()
            return tuple(m for m in model.members if m in members)
        out = []
        for candidate in self.possible.get(type_name, ()):
            implements = self.types[candidate].implements_in.get(graph)
            if implements is not None and type_name in implements:
                out.append(candidate)
        return tuple(out)
