"""The decisions the walk makes, as functions of the model and the cost model.

:class:`Choices` answers, for one field at one place of the walk: which subgraphs could
fetch it through ``_entities`` and in which order to prefer them (:meth:`jump_options`);
whether an interface field can be asked at the interface's level; which part of an
object field the current subgraph can complete (:meth:`split_unreachable`); which
fields of a fragment an ``@interfaceObject`` subgraph answers itself; and whether an
abstract field can hold any object at all. None of them changes the plan being built:
the walk (walk.py) acts on the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from aggregator.planning.cost import ZERO, Cost, CostModel
from aggregator.planning.errors import PlanningError
from aggregator.planning.model_view import ModelView, type_in
from aggregator.planning.normalize import NField, NFragment, NSelection
from aggregator.planning.selection import args_text
from aggregator.supergraph.model import FieldModel, TypeModel

__all__ = ["Choices", "Jump", "response_key_shapes", "with_selections"]


@dataclass(frozen=True, slots=True)
class Jump:
    """Entering ``target`` through ``_entities`` for one field."""

    rank: tuple[int, int, int, int, str]  # how the options were ordered (cheapest first)
    target: str
    condition: str  # type condition of the fragment inside ``_entities``
    rep_typename: str  # __typename the representations carry
    key: str  # the key field set used


class Choices:
    def __init__(self, view: ModelView, costs: CostModel) -> None:
        self.view = view
        self.costs = costs

    def jump_options(
        self,
        selection: NField,
        parent: str,
        current: str,
        provided: Sequence[NSelection] | None,
        looping: Callable[[str], bool],
        opened: Callable[[str], bool],
    ) -> list[Jump]:
        """Subgraphs to fetch ``parent.selection`` from, best first: the fewest unreachable
        fields, then the fewest jumps (a key ``current`` cannot provide itself counts as
        one more), then a subgraph already being called at this path.

        ``looping(target)``: that jump is already being planned further up (a key that
        needs it would loop); ``opened(target)``: a group for that subgraph exists here."""
        view = self.view
        field_model = view.type(parent).fields[selection.name]
        sources = view.jump_sources(parent, selection.name)
        options: list[Jump] = []
        for target in sources:
            entry = view.entry_keys(parent, target)
            if entry is None:
                continue
            condition, rep_typename, keys = entry
            key = next(
                (
                    k
                    for k in keys
                    if self.costs.locally_resolvable(
                        view.fieldset(parent, k), parent, current, provided
                    )
                ),
                None,
            )
            if key is None and looping(target):
                continue  # fetching this key would need this very jump again
            sub_cost: Cost = ZERO
            if selection.selections:
                sub_cost = self.costs.cost(
                    selection.selections, type_in(field_model, target), target
                )
            existing = 0 if opened(target) else 1
            rank = (sub_cost[0], sub_cost[1] + (0 if key is not None else 1), existing, 0, target)
            options.append(Jump(rank, target, condition, rep_typename, key or keys[0]))
        if not options:
            raise PlanningError(
                f"cannot plan {parent}.{selection.name}: subgraph '{current}' cannot resolve it "
                f"and no subgraph that can ({', '.join(sorted(sources)) or 'none'}) "
                f"is reachable through an entity key of {parent}"
            )
        options.sort(key=lambda option: option.rank)
        return options

    def interface_level(
        self, selection: NField, model: TypeModel, graph: str, runtimes: Sequence[str]
    ) -> bool:
        """``graph`` answers an interface field on the interface itself: it resolves it
        (without ``@requires``) for the interface and every runtime type it can return."""
        field_model = model.fields.get(selection.name)
        if field_model is None or graph not in field_model.sources:
            return False
        if field_model.sources[graph].requires:
            return False
        for runtime in runtimes:
            runtime_field = self.view.type(runtime).fields.get(selection.name)
            if runtime_field is None:
                return False
            source = runtime_field.sources.get(graph)
            if source is None or source.requires:
                return False
        if selection.selections:
            return all(
                self.costs.locally_resolvable(
                    selection.selections,
                    type_in(self.view.type(r).fields[selection.name], graph),
                    graph,
                    None,
                )
                for r in runtimes
            )
        return True

    def split_unreachable(
        self,
        selection: NField,
        field_type: str,
        graph: str,
        provided: Sequence[NSelection] | None,
    ) -> tuple[NField, NField] | None:
        """The field's sub-selections ``graph`` can complete, and the ones it cannot.

        Only for object-typed fields whose unreachable part another subgraph can complete
        through the parent's key; otherwise None (the caller moves the whole field).
        """
        if selection.selections is None or self.view.type(field_type).kind != "object":
            return None
        reachable: list[NSelection] = []
        unreachable: list[NSelection] = []
        for sub in self.view.collect(selection.selections, field_type):
            if self.costs.cost((sub,), field_type, graph, provided)[0] == 0:
                reachable.append(sub)
            else:
                unreachable.append(sub)
        if not reachable or not unreachable:
            return None
        return with_selections(selection, reachable), with_selections(selection, unreachable)

    def hoist_interface_fields(
        self,
        fragment: NFragment,
        model: TypeModel,
        graph: str,
        shapes: Mapping[str, set[tuple[str, str]]],
    ) -> tuple[list[NField], NFragment]:
        """Split a fragment under an @interfaceObject into the interface fields ``graph``
        answers itself (fetched for every object; projection keeps them only where the
        fragment applies) and the rest, which needs the concrete type's subgraph.

        A non-resolvable @interfaceObject can only be read this way: nobody can enter it
        for ``... on Bread { name }`` once the concrete type is known."""
        hoisted: list[NField] = []
        remainder: list[NSelection] = []
        for selection in fragment.selections:
            if isinstance(selection, NFragment):
                inner, rest = self.hoist_interface_fields(selection, model, graph, shapes)
                hoisted.extend(inner)
                remainder.append(rest)
                continue
            if selection.name != "__typename":
                field_model = model.fields.get(selection.name)
                source = field_model.sources.get(graph) if field_model else None
                if (
                    field_model is not None
                    and source is not None
                    and not source.requires
                    and len(shapes.get(selection.response_key, ())) == 1
                    and (
                        not selection.selections
                        or self.costs.locally_resolvable(
                            selection.selections, type_in(field_model, graph), graph, None
                        )
                    )
                ):
                    hoisted.append(selection)
                    continue
            remainder.append(selection)
        return hoisted, NFragment(fragment.type_condition, tuple(remainder))

    def never_an_object(self, selection: NField, field_model: FieldModel, graph: str) -> bool:
        """An abstract field no object type of ``graph`` can fill, asked only for fields that
        need one (not ``__typename``, not fields of the interface ``graph`` resolves)."""
        if selection.selections is None:
            return False
        field_type = self.view.type(type_in(field_model, graph))
        if (
            not field_type.is_abstract
            or graph in field_type.interface_object_in
            or self.view.model.possible_types_in(field_type.name, graph)
        ):
            return False
        for sub in self.view.collect(selection.selections, field_type.name):
            if sub.name == "__typename":
                return False
            sub_field = field_type.fields.get(sub.name)
            if sub_field is not None and graph in sub_field.sources:
                return False
        return True


def with_selections(selection: NField, subs: list[NSelection]) -> NField:
    """The same field with other sub-selections."""
    return NField(
        selection.response_key,
        selection.name,
        selection.arguments,
        selection.directives,
        tuple(subs),
        selection.node,
    )


def response_key_shapes(selections: Sequence[NSelection]) -> dict[str, set[tuple[str, str]]]:
    """Response key -> every (field, arguments) the selection set asks under it,
    fragments included: a key with one meaning can move between fragments."""
    shapes: dict[str, set[tuple[str, str]]] = {}
    for selection in selections:
        if isinstance(selection, NFragment):
            for key, found in response_key_shapes(selection.selections).items():
                shapes.setdefault(key, set()).update(found)
        else:
            shapes.setdefault(selection.response_key, set()).add(
                (selection.name, args_text(selection.arguments))
            )
    return shapes
