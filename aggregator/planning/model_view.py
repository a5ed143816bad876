"""The questions every planning stage asks of the supergraph model, answered once.

:class:`ModelView` wraps a :class:`SupergraphModel` with the lookups the cost model and
the walk share: a type by name, a field set (``@key``, ``@requires``, ``@provides``)
parsed into normalised selections, the fields of a selection that apply to one runtime
type, where a field can be fetched from, and how an entity is entered in a subgraph.
Everything here is a pure function of the model; parsed field sets are memoised.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import parse
from graphql.language import OperationDefinitionNode

from aggregator.planning.errors import PlanningError
from aggregator.planning.normalize import NField, NFragment, Normalizer, NSelection
from aggregator.supergraph.model import FieldModel, FieldSource, SupergraphModel, TypeModel

__all__ = ["EntryKeys", "ModelView", "list_depth", "type_in"]

# (type condition to use, __typename to send, key field sets) to enter a subgraph
EntryKeys = tuple[str, str, list[str]]


def type_in(field_model: FieldModel, graph: str) -> str:
    """The field's named type in one subgraph: composition may widen it in the supergraph
    (an object in one subgraph, a union or interface holding it in another), and what is
    sent to a subgraph may only use type conditions that subgraph's schema accepts there."""
    source = field_model.sources.get(graph)
    if source is None or source.type_str is None:
        return field_model.named_type
    return source.type_str.strip("[]!")


def list_depth(type_str: str) -> int:
    """How many list levels a value of this type has (each is an ``@`` in a plan path)."""
    return type_str.count("[")


class ModelView:
    def __init__(self, model: SupergraphModel) -> None:
        self.model = model
        self._fieldsets: dict[tuple[str, str], tuple[NSelection, ...]] = {}

    def type(self, name: str) -> TypeModel:
        try:
            return self.model.types[name]
        except KeyError:
            raise PlanningError(f"unknown type {name}") from None

    def fieldset(self, type_name: str, text: str) -> tuple[NSelection, ...]:
        """A field set of a federation directive, normalised on ``type_name``."""
        cached = self._fieldsets.get((type_name, text))
        if cached is None:
            document = parse("{" + text + "}", no_location=True)
            operation = document.definitions[0]
            assert isinstance(operation, OperationDefinitionNode)
            cached = Normalizer(self.model, {}, {}).selections(operation.selection_set, type_name)
            self._fieldsets[(type_name, text)] = cached
        return cached

    def collect(self, selections: Sequence[NSelection], runtime: str) -> list[NField]:
        """The fields of ``selections`` that apply to objects of type ``runtime``."""
        out: list[NField] = []
        for selection in selections:
            if isinstance(selection, NFragment):
                if runtime in self.model.possible_types(selection.type_condition):
                    out.extend(self.collect(selection.selections, runtime))
            else:
                out.append(selection)
        return out

    def provided_child(
        self, provided: Sequence[NSelection] | None, parent: str, name: str
    ) -> tuple[NSelection, ...] | None:
        """What ``@provides`` lets the subgraph answer below ``parent.name``, if anything."""
        if not provided:
            return None
        for selection in self.collect(provided, parent):
            if selection.name == name:
                return selection.selections or ()
        return None

    def provided_by(self, source: FieldSource, type_name: str) -> tuple[NSelection, ...] | None:
        """What a subgraph's ``@provides`` on this field lets it answer below the field."""
        return self.fieldset(type_name, source.provides) if source.provides else None

    def entry_keys(self, type_name: str, graph: str) -> EntryKeys | None:
        """How to enter ``graph`` for an object of ``type_name`` through ``_entities``."""
        model = self.type(type_name)
        keys = model.keys.get(graph)
        if keys:
            return type_name, type_name, keys
        for interface in model.interfaces:
            iface = self.model.types.get(interface)
            if iface is not None and graph in iface.interface_object_in and iface.keys.get(graph):
                return interface, interface, iface.keys[graph]
        return None

    def jump_sources(self, type_name: str, field_name: str) -> dict[str, FieldSource]:
        """Subgraphs that resolve a field of an object type, directly or via @interfaceObject."""
        model = self.type(type_name)
        field_model = model.fields.get(field_name)
        sources: dict[str, FieldSource] = dict(field_model.sources) if field_model else {}
        if model.kind != "object":
            return sources
        for interface in model.interfaces:
            iface = self.model.types.get(interface)
            if iface is None or not iface.interface_object_in:
                continue
            iface_field = iface.fields.get(field_name)
            if iface_field is None:
                continue
            for graph in iface.interface_object_in:
                if graph in iface_field.sources and graph not in sources:
                    sources[graph] = iface_field.sources[graph]
        return sources

    def shape(self, type_str: str, named_type: str) -> str:
        """What two same-named fields of sibling fragments must share (the GraphQL
        SameResponseShape rule): wrappers always, the type itself only for leaves."""
        target = self.model.types.get(named_type)
        if target is not None and target.is_composite:
            return type_str.replace(named_type, "{}")
        return type_str
