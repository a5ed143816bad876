"""Stage 2: walk the normalised operation and place every field in a fetch group.

Receives the supergraph model (through :class:`ModelView` and the :class:`CostModel`)
and the normalised root selections; leaves in :class:`FetchGroups` one group per root
field and per entity jump, each holding the subgraph selection it will send.

Each field goes to the subgraph answering its parent (the current group) when that
subgraph resolves it; otherwise the walk *jumps*: it adds the entity's key (and any
``@requires`` fields) to the current selection, so representations can be built, and
opens an ``_entities`` group in a subgraph that resolves the field, chosen by the cost
model. Abstract types are planned per runtime type the subgraph can return, fields of
an interface at the interface's level when every implementation resolves them there;
an ``@interfaceObject`` subgraph learns the concrete type from a subgraph owning the
interface. Where the walk is is one frozen :class:`Position`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from aggregator.planning.choices import Choices, Jump, response_key_shapes
from aggregator.planning.cost import ZERO, CostModel
from aggregator.planning.errors import PlanningError
from aggregator.planning.fetch_groups import FetchGroups, Group
from aggregator.planning.model_view import ModelView, list_depth, type_in
from aggregator.planning.normalize import NField, NFragment, NSelection
from aggregator.planning.selection import FieldSel, SelSet
from aggregator.supergraph.model import FieldModel, FieldSource, SupergraphModel, TypeModel

__all__ = ["Position", "Walk", "walk"]


@dataclass(frozen=True, slots=True)
class Position:
    """Where the walk is: the fetch being filled and the place in its selection."""

    group: Group  # the subgraph request answering the enclosing object
    out: SelSet  # where in that request's selection fields go
    parent: str  # the enclosing object's type
    path: tuple[str, ...]  # its response path (``@`` for each list level)
    provided: Sequence[NSelection] | None  # what ``@provides`` lets the subgraph answer
    siblings: Sequence[NSelection]  # the client's selections here (planner keys avoid them)

    @property
    def subgraph(self) -> str:
        return self.group.subgraph


def walk(
    model: SupergraphModel, root_type: str, selections: Sequence[NSelection], serial: bool
) -> list[Group]:
    """The fetch groups for one operation, before optimisation."""
    runner = Walk(model)
    runner.plan_root(root_type, selections, serial)
    return runner.groups.groups


class Walk:
    def __init__(self, model: SupergraphModel, view: ModelView | None = None) -> None:
        self.view = view or ModelView(model)
        self.costs = CostModel(self.view)
        self.choices = Choices(self.view, self.costs)
        self.groups = FetchGroups(self.view)
        # (type, field, from, to) jumps being planned: a key needing the same jump is no way
        self._jumping: set[tuple[str, str, str, str]] = set()

    # --------------------------------------------------------------------- root
    def plan_root(self, root_type: str, selections: Sequence[NSelection], serial: bool) -> None:
        """Root fields, each in a new group of the subgraph the cost model prefers:
        one already asked, or one some other root field can only come from."""
        view = self.view
        used_subgraphs: set[str] = set()
        previous: str | None = None
        root_fields = view.type(root_type).fields
        forced = {
            next(iter(root_fields[s.name].sources))
            for s in view.collect(selections, root_type)
            if s.name in root_fields and len(root_fields[s.name].sources) == 1
        }
        # (__typename, __schema and __type are answered by the gateway)
        pending = [s for s in view.collect(selections, root_type) if not s.name.startswith("__")]
        tried: dict[str, set[str]] = {}
        while pending:
            selection = pending.pop(0)
            field_model = root_fields.get(selection.name)
            if field_model is None:
                raise PlanningError(f"unknown field {root_type}.{selection.name}")
            if not field_model.sources:
                raise PlanningError(f"no subgraph resolves {root_type}.{selection.name}")
            ranked: list[tuple[int, int, int, str]] = []
            for candidate in field_model.sources:
                sub = ZERO
                named = type_in(field_model, candidate)
                if selection.selections:
                    sub = self.costs.cost(
                        selection.selections,
                        named,
                        candidate,
                        view.provided_by(field_model.sources[candidate], named),
                    )
                reuse = previous == candidate or (
                    not serial and (candidate in used_subgraphs or candidate in forced)
                )
                ranked.append((sub[0], sub[1], 0 if reuse else 1, candidate))
            best = min(ranked)
            graph = best[3]
            if best[0] > 0 and not serial:
                # no subgraph completes it alone (a shared root field of a value type):
                # ask the same field of several subgraphs, each for what it can answer
                done = tried.setdefault(selection.response_key, set())
                split = self.choices.split_unreachable(
                    selection, type_in(field_model, graph), graph, None
                )
                if split is not None and graph not in done:
                    done.add(graph)
                    selection, rest = split
                    pending.insert(0, rest)
            if serial:
                if previous != graph:
                    self.groups.stage += 1
                previous = graph
            used_subgraphs.add(graph)
            group = self.groups.root(graph)
            self.plan_field(
                selection, Position(group, group.selection, root_type, (), None, selections)
            )

    # --------------------------------------------------------------- selections
    def plan_selections(self, selections: Sequence[NSelection], pos: Position) -> set[Group]:
        """Every selection on ``pos.parent``; returns the groups that took part."""
        model = self.view.type(pos.parent)
        if model.is_abstract:
            return self.plan_abstract(selections, model, pos)
        used: set[Group] = set()
        here = replace(pos, siblings=selections)
        for selection in self.view.collect(selections, pos.parent):
            used |= self.plan_field(selection, here)
        return used

    def plan_abstract(
        self, selections: Sequence[NSelection], model: TypeModel, pos: Position
    ) -> set[Group]:
        """An interface or union: interface-level fields where every runtime type the
        subgraph can return resolves them there, the rest in one fragment per runtime."""
        graph = pos.subgraph
        pos.out.add_field("__typename", "__typename")
        if graph in model.interface_object_in:
            return self.plan_interface_object(selections, model, pos)
        used: set[Group] = {pos.group}
        runtimes = self.view.model.possible_types_in(model.name, graph)
        here = replace(pos, parent=model.name, siblings=selections)
        pushed: list[NSelection] = []
        for selection in selections:
            if isinstance(selection, NFragment):
                pushed.append(selection)
            elif selection.name == "__typename":
                pos.out.add_field("__typename", selection.response_key)
            elif model.kind == "interface" and self.choices.interface_level(
                selection, model, graph, runtimes
            ):
                used |= self.plan_field(selection, here)
            else:
                pushed.append(selection)
        if not pushed:
            return used
        for runtime in runtimes:
            applicable = self.view.collect(pushed, runtime)
            if not applicable:
                continue
            inner = replace(pos, out=pos.out.fragment(runtime), parent=runtime, siblings=applicable)
            for selection in applicable:
                used |= self.plan_field(selection, inner)
        return used

    def plan_interface_object(
        self, selections: Sequence[NSelection], model: TypeModel, pos: Position
    ) -> set[Group]:
        """An @interfaceObject subgraph only knows the interface: what it cannot answer
        (the concrete type, fragments, other fields) comes from a subgraph that knows the
        implementations, through the interface's key."""
        view = self.view
        graph = pos.subgraph
        here = replace(pos, parent=model.name, siblings=selections)
        used: set[Group] = {pos.group}
        rest: list[NSelection] = []
        shapes = response_key_shapes(selections)
        for selection in selections:
            if isinstance(selection, NFragment):
                hoisted, remainder = self.choices.hoist_interface_fields(
                    selection, model, graph, shapes
                )
                for field_selection in hoisted:
                    used |= self.plan_field(field_selection, here)
                rest.append(remainder)
                continue
            if selection.name != "__typename":
                field_model = model.fields.get(selection.name)
                source = field_model.sources.get(graph) if field_model else None
                if source is not None and not source.requires:
                    used |= self.plan_field(selection, here)
                    continue
                if field_model is not None and any(
                    g != graph and g in model.interface_object_in and model.keys.get(g)
                    for g in field_model.sources
                ):
                    # another @interfaceObject subgraph serves the field for every
                    # implementation: enter it with the interface's key, as the
                    # reference planners do, rather than finding the concrete type first
                    used |= self.jump(selection, here)
                    continue
            rest.append(selection)
        if not rest:
            return used
        targets = sorted(
            g
            for g in model.keys
            if g not in model.interface_object_in
            and g != graph
            and view.model.possible_types_in(model.name, g)
        )
        if not targets and all(isinstance(s, NField) and s.name == "__typename" for s in rest):
            # no subgraph has an implementation to tell: the interface's own name stands
            return used
        if not targets:
            raise PlanningError(
                f"cannot resolve the concrete type of {model.name} from subgraph '{graph}': "
                "no subgraph defines it as an interface with a resolvable key"
            )
        target = targets[0]
        key_fields = view.fieldset(model.name, model.keys[target][0])
        deps = self.plan_internal(key_fields, here) | {pos.group}
        keys = self.groups.representation_keys(key_fields, model.name, selections, pos.path)
        target_group = self.groups.entity(
            target, pos.path, deps, model.name, model.name, key_fields, keys
        )
        used.add(target_group)
        inner = Position(
            target_group,
            target_group.selection.fragment(model.name),
            model.name,
            pos.path,
            None,
            rest,
        )
        return used | self.plan_selections(rest, inner)

    def plan_field(self, selection: NField, pos: Position) -> set[Group]:
        """One field: in the current subgraph when it resolves it (what it cannot answer
        below it split off and fetched through the parent's key), or through a jump."""
        view = self.view
        if selection.name == "__typename":
            pos.out.add_field("__typename", selection.response_key)
            return {pos.group}
        model = view.type(pos.parent)
        field_model = model.fields.get(selection.name)
        if field_model is None:
            raise PlanningError(f"unknown field {pos.parent}.{selection.name}")
        graph = pos.subgraph
        sub_provided = view.provided_child(pos.provided, pos.parent, selection.name)
        source = field_model.sources.get(graph)
        local = (source is not None and not source.requires) or sub_provided is not None
        if local and selection.selections and model.kind == "object":
            named = type_in(field_model, graph)
            if source is not None and source.provides:
                sub_provided = view.fieldset(named, source.provides)
            here = self.costs.cost(selection.selections, named, graph, sub_provided)
            if here[0] > 0:
                split = self.choices.split_unreachable(selection, named, graph, sub_provided)
                if split is not None:
                    # the reachable part stays here; the rest is the same field fetched
                    # again through the parent's entity key where it can be completed
                    reachable, unreachable = split
                    return self.plan_field(reachable, pos) | self.jump(unreachable, pos)
                alternative = self.costs.best_jump(
                    selection, pos.parent, graph, view.jump_sources(pos.parent, selection.name)
                )
                if alternative is not None and alternative[0][0] < here[0]:
                    local = False
        if local and self.choices.never_an_object(selection, field_model, graph):
            return {pos.group}  # only null can come back: nothing to ask (as Apollo does)
        if not local:
            return self.jump(selection, pos)
        if source is not None and source.provides:
            sub_provided = view.fieldset(type_in(field_model, graph), source.provides)
        chosen = self._add(selection, pos.out)
        chosen.shape = view.shape(
            (source.type_str if source else None) or field_model.type_str,
            type_in(field_model, graph),
        )
        used: set[Group] = {pos.group}
        if selection.selections is not None and chosen.sub is not None:
            inner = Position(
                pos.group,
                chosen.sub,
                type_in(field_model, graph),
                child_path(pos.path, selection, field_model),
                sub_provided,
                selection.selections,
            )
            used |= self.plan_selections(selection.selections, inner)
            self.finish_object(chosen.sub, field_model, graph)
        return used

    def finish_object(self, sub: SelSet, field_model: FieldModel, graph: str) -> None:
        """Complete a composite field's subgraph selection: never empty (``{}`` after
        ``@skip``/``@include``), and with ``__typename`` where the client's type is abstract
        but the subgraph's is an object (projection picks fragments by ``__typename``)."""
        if not sub:
            sub.add_field("__typename", "__typename")
        view = self.view
        if (
            view.type(field_model.named_type).is_abstract
            and not view.type(type_in(field_model, graph)).is_abstract
        ):
            sub.add_field("__typename", "__typename")

    # ------------------------------------------------------------------- jumps
    def jump(self, selection: NField, pos: Position) -> set[Group]:
        """Fetch ``selection`` through ``_entities`` from the best subgraph that has it."""
        parent, current = pos.parent, pos.subgraph
        options = self.choices.jump_options(
            selection,
            parent,
            current,
            pos.provided,
            looping=lambda target: (parent, selection.name, current, target) in self._jumping,
            opened=lambda target: self.groups.has(target, pos.path),
        )
        best = options[0]
        source = self.view.jump_sources(parent, selection.name)[best.target]
        if best.rank[0] > 0 and len(options) > 1:
            # no single subgraph completes the field: take what the best one can, and
            # fetch the rest of the same field through another subgraph
            field_model = self.view.type(parent).fields[selection.name]
            split = self.choices.split_unreachable(
                selection, type_in(field_model, best.target), best.target, None
            )
            if split is not None:
                reachable, rest = split
                used = self._guarded_enter(reachable, pos, best, source)
                return used | self.jump(rest, pos)
        return self._guarded_enter(selection, pos, best, source)

    def _guarded_enter(
        self, selection: NField, pos: Position, jump: Jump, source: FieldSource
    ) -> set[Group]:
        attempt = (pos.parent, selection.name, pos.subgraph, jump.target)
        self._jumping.add(attempt)
        try:
            return self.enter(selection, pos, jump, source)
        finally:
            self._jumping.discard(attempt)

    def enter(
        self, selection: NField, pos: Position, jump: Jump, source: FieldSource
    ) -> set[Group]:
        """Add the key and ``@requires`` fields to the current fetch, open the
        ``_entities`` group in ``jump.target`` and plan the field there."""
        view = self.view
        parent = pos.parent
        field_model = view.type(parent).fields[selection.name]
        required: list[NSelection] = list(view.fieldset(parent, jump.key))
        if source.requires:
            required.extend(view.fieldset(parent, source.requires))
        pos.out.add_field("__typename", "__typename")
        deps = self.plan_internal(required, pos) | {pos.group}
        keys = self.groups.representation_keys(required, parent, pos.siblings, pos.path)
        target_group = self.groups.entity(
            jump.target, pos.path, deps, parent, jump.rep_typename, required, keys
        )
        parent_model = view.type(parent)
        if parent_model.is_abstract and jump.target in parent_model.interface_object_in:
            # an earlier fetch may have replaced the interface's __typename by the
            # concrete type: every implementation is sent as the interface
            builder = target_group.requires[parent]
            for runtime in view.model.possible_types(parent):
                target_group.requires.setdefault(runtime, builder)
                target_group.rep_typename[runtime] = jump.rep_typename
        chosen = self._add(selection, target_group.selection.fragment(jump.condition))
        used = {target_group}
        if selection.selections is not None and chosen.sub is not None:
            named = type_in(field_model, jump.target)
            inner = Position(
                target_group,
                chosen.sub,
                named,
                child_path(pos.path, selection, field_model),
                view.fieldset(named, source.provides) if source.provides else None,
                selection.selections,
            )
            used |= self.plan_selections(selection.selections, inner)
            self.finish_object(chosen.sub, field_model, jump.target)
        return used

    def plan_internal(self, selections: Sequence[NSelection], pos: Position) -> set[Group]:
        """Fields the planner needs (keys, ``@requires``), under keys the client does not use."""
        used: set[Group] = set()
        for selection in self.view.collect(selections, pos.parent):
            key = self.groups.internal_key(selection, pos.siblings, pos.path, pos.parent)
            internal = NField(key, selection.name, selection.arguments, (), selection.selections)
            used |= self.plan_field(internal, pos)
        return used

    @staticmethod
    def _add(selection: NField, out: SelSet) -> FieldSel:
        return out.add_field(
            selection.name,
            selection.response_key,
            selection.arguments,
            selection.directives,
            selection.selections is not None,
        )


def child_path(
    path: tuple[str, ...], selection: NField, field_model: FieldModel
) -> tuple[str, ...]:
    return path + (selection.response_key,) + ("@",) * list_depth(field_model.type_str)
