"""Stage 1 of planning: split a normalised operation into fetch groups.

A fetch group is one subgraph request: a root fetch, or an ``_entities`` fetch
at a path of the response. Each client field is placed in the group of the
subgraph currently answering, unless that subgraph cannot resolve it; then the
planner "jumps" through an entity key into a subgraph that can, adding the key
(and any ``@requires`` fields) to the current group's selection so the
representations can be built. Groups for the same subgraph at the same path
are shared (unless that would make a dependency cycle), which keeps the number
of subgraph requests low.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from graphql import parse
from graphql.language import OperationDefinitionNode

from aggregator.planning.normalize import NField, NFragment, Normalizer, NSelection, PlanningError
from aggregator.planning.selection import SelSet, _args_text
from aggregator.supergraph.model import FieldModel, FieldSource, SupergraphModel, TypeModel

Cost = tuple[int, int]  # (fields no path can reach, entity jumps)
_ZERO: Cost = (0, 0)


def _add(a: Cost, b: Cost) -> Cost:
    return (a[0] + b[0], a[1] + b[1])


@dataclass(slots=True)
class RequireBuilder:
    """Representation fields for one entity type: name -> (response key, nested)."""

    fields: dict[str, tuple[str, RequireBuilder | None]] = field(default_factory=dict)

    def add(self, name: str, response_key: str, nested: bool) -> RequireBuilder | None:
        existing = self.fields.get(name)
        if existing is not None:
            if nested and existing[1] is None:
                created = RequireBuilder()
                self.fields[name] = (existing[0], created)
                return created
            return existing[1]
        fresh = RequireBuilder() if nested else None
        self.fields[name] = (response_key, fresh)
        return fresh


@dataclass(eq=False, slots=True)
class Group:
    id: int
    subgraph: str
    path: tuple[str, ...]
    stage: int
    entity: bool
    selection: SelSet = field(default_factory=SelSet)
    # entity groups: type -> representation builder, and the __typename each type is sent as
    requires: dict[str, RequireBuilder] = field(default_factory=dict)
    rep_typename: dict[str, str] = field(default_factory=dict)
    deps: set[Group] = field(default_factory=set)

    def depends_on(self, other: Group) -> bool:
        stack = list(self.deps)
        seen: set[int] = set()
        while stack:
            group = stack.pop()
            if group is other:
                return True
            if group.id in seen:
                continue
            seen.add(group.id)
            stack.extend(group.deps)
        return False

    def __hash__(self) -> int:
        return self.id


def type_in(field_model: FieldModel, graph: str) -> str:
    """The field's named type in one subgraph: composition may widen it in the supergraph
    (an object in one subgraph, a union or interface holding it in another), and what is
    sent to a subgraph may only use type conditions that subgraph's schema accepts there."""
    source = field_model.sources.get(graph)
    if source is None or source.type_str is None:
        return field_model.named_type
    return source.type_str.strip("[]!")


def keep_object(sub: SelSet) -> None:
    """A composite field whose sub-selections ``@skip``/``@include`` all removed still
    answers an object (``{}``): ask its ``__typename`` so the selection is never empty."""
    if not sub:
        sub.add_field("__typename", "__typename")


def list_depth(type_str: str) -> int:
    return type_str.count("[")


class GroupBuilder:
    def __init__(self, model: SupergraphModel) -> None:
        self.model = model
        self.groups: list[Group] = []
        self.entity_index: dict[tuple[int, str, tuple[str, ...]], list[Group]] = {}
        self.stage = 0
        # keyed by id(selections); the value keeps the selections alive so no id is reused
        self._cost_memo: dict[tuple[int, str, str], tuple[Cost, Sequence[NSelection]]] = {}
        self._fieldsets: dict[tuple[str, str], tuple[NSelection, ...]] = {}
        self._jumping: set[tuple[str, str, str, str]] = set()
        self._entering: set[tuple[str, str, str]] = set()
        # (path, type, field) -> arguments text -> response key of planner-added fields
        self._internal_keys: dict[tuple[tuple[str, ...], str, str], dict[str, str]] = {}

    # ----------------------------------------------------------------- helpers
    def type(self, name: str) -> TypeModel:
        try:
            return self.model.types[name]
        except KeyError:
            raise PlanningError(f"unknown type {name}") from None

    def fieldset(self, type_name: str, text: str) -> tuple[NSelection, ...]:
        cached = self._fieldsets.get((type_name, text))
        if cached is None:
            document = parse("{" + text + "}", no_location=True)
            operation = document.definitions[0]
            assert isinstance(operation, OperationDefinitionNode)
            cached = Normalizer(self.model, {}, {}).selections(operation.selection_set, type_name)
            self._fieldsets[(type_name, text)] = cached
        return cached

    def collect(self, selections: Sequence[NSelection], runtime: str) -> list[NField]:
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
        if not provided:
            return None
        for selection in self.collect(provided, parent):
            if selection.name == name:
                return selection.selections or ()
        return None

    def new_group(self, subgraph: str, path: tuple[str, ...], entity: bool) -> Group:
        group = Group(len(self.groups), subgraph, path, self.stage, entity)
        self.groups.append(group)
        return group

    def entity_group(
        self,
        subgraph: str,
        path: tuple[str, ...],
        deps: set[Group],
        type_name: str,
        representation: Mapping[str, str],
    ) -> Group:
        """The entity group for ``subgraph`` at ``path`` to add to: a shared one unless that
        would make a cycle or its representations of ``type_name`` read a field from
        another response key (the same field with other arguments)."""
        key = (self.stage, subgraph, path)
        for candidate in self.entity_index.get(key, ()):
            if candidate in deps:
                continue
            if any(dep.depends_on(candidate) for dep in deps):
                continue
            existing = candidate.requires.get(type_name)
            if existing is not None and any(
                name in existing.fields and existing.fields[name][0] != response_key
                for name, response_key in representation.items()
            ):
                continue
            candidate.deps |= deps
            return candidate
        group = self.new_group(subgraph, path, entity=True)
        group.deps |= deps
        self.entity_index.setdefault(key, []).append(group)
        return group

    def entry_keys(self, type_name: str, graph: str) -> tuple[str, str, list[str]] | None:
        """(type condition, __typename to send, keys) to enter ``graph`` as an entity."""
        model = self.type(type_name)
        keys = model.keys.get(graph)
        if keys:
            return type_name, type_name, keys
        for interface in model.interfaces:
            iface = self.model.types.get(interface)
            if iface is not None and graph in iface.interface_object_in and iface.keys.get(graph):
                return interface, interface, iface.keys[graph]
        return None

    def shape(self, type_str: str, named_type: str) -> str:
        """What two same-named fields of sibling fragments must share (the GraphQL
        SameResponseShape rule): wrappers always, the type itself only for leaves."""
        target = self.model.types.get(named_type)
        if target is not None and target.is_composite:
            return type_str.replace(named_type, "{}")
        return type_str

    def finish_object(self, sub: SelSet, field_model: FieldModel, graph: str) -> None:
        """Complete a composite field's subgraph selection: never empty (``{}`` after
        ``@skip``/``@include``), and with ``__typename`` where the client's type is abstract
        but the subgraph's is an object (projection picks fragments by ``__typename``)."""
        keep_object(sub)
        if (
            self.type(field_model.named_type).is_abstract
            and not self.type(type_in(field_model, graph)).is_abstract
        ):
            sub.add_field("__typename", "__typename")

    def provided_by(self, source: FieldSource, type_name: str) -> tuple[NSelection, ...] | None:
        """What a subgraph's ``@provides`` on this field lets it answer below the field."""
        return self.fieldset(type_name, source.provides) if source.provides else None

    def can_enter(
        self,
        type_name: str,
        target: str,
        current: str,
        provided: Sequence[NSelection] | None,
        depth: int = 0,
    ) -> bool:
        """``current`` can build a representation for one of ``target``'s keys of the type."""
        entry = self.entry_keys(type_name, target)
        if entry is None:
            return False
        probe = (type_name, target, current)
        if probe in self._entering:
            return False  # the key's fields would need this same entry: no way in
        self._entering.add(probe)
        try:
            return any(
                self.cost(self.fieldset(type_name, key), type_name, current, provided, depth + 1)[0]
                == 0
                for key in entry[2]
            )
        finally:
            self._entering.discard(probe)

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

    def locally_resolvable(
        self,
        selections: Sequence[NSelection],
        parent: str,
        graph: str,
        provided: Sequence[NSelection] | None,
    ) -> bool:
        """``graph`` alone answers the whole selection: no entity jump, nothing unreachable."""
        return self.cost(selections, parent, graph, provided) == _ZERO

    # -------------------------------------------------------------------- cost
    def cost(
        self,
        selections: Sequence[NSelection],
        parent: str,
        graph: str,
        provided: Sequence[NSelection] | None = None,
        depth: int = 0,
    ) -> Cost:
        memo_key = (id(selections), parent, graph)
        if provided is None:
            cached = self._cost_memo.get(memo_key)
            if cached is not None:
                return cached[0]
        if depth > 30:
            return _ZERO
        total = _ZERO
        model = self.type(parent)
        runtimes = (
            (parent,) if model.kind == "object" else self.model.possible_types_in(parent, graph)
        )
        for runtime in runtimes:
            for selection in self.collect(selections, runtime):
                if selection.name == "__typename":
                    continue
                field_model = self.type(runtime).fields.get(selection.name)
                if field_model is None:
                    total = _add(total, (1, 0))
                    continue
                sub_provided = self.provided_child(provided, runtime, selection.name)
                source = field_model.sources.get(graph)
                if (source is not None and not source.requires) or sub_provided is not None:
                    if selection.selections:
                        if source is not None and source.provides:
                            sub_provided = self.fieldset(
                                type_in(field_model, graph), source.provides
                            )
                        total = _add(
                            total,
                            self.cost(
                                selection.selections,
                                type_in(field_model, graph),
                                graph,
                                sub_provided,
                                depth + 1,
                            ),
                        )
                    continue
                best: Cost | None = None
                for target in sorted(self.jump_sources(runtime, selection.name)):
                    if not self.can_enter(runtime, target, graph, provided, depth):
                        continue
                    option: Cost = (0, 1)
                    if selection.selections:
                        option = _add(
                            option,
                            self.cost(
                                selection.selections,
                                type_in(field_model, target),
                                target,
                                None,
                                depth + 1,
                            ),
                        )
                    if best is None or option < best:
                        best = option
                total = _add(total, best if best is not None else (1, 0))
        if provided is None and not self._entering:
            # a cost found while an entry is being probed may be cut short by the probe
            self._cost_memo[memo_key] = (total, selections)
        return total

    # ---------------------------------------------------------------- planning
    def plan_root(self, root_type: str, selections: Sequence[NSelection], serial: bool) -> None:
        root_groups: dict[str, Group] = {}
        previous: Group | None = None
        root_fields = self.type(root_type).fields
        # subgraphs some root field can only come from: shareable fields prefer them
        forced = {
            next(iter(root_fields[s.name].sources))
            for s in self.collect(selections, root_type)
            if s.name in root_fields and len(root_fields[s.name].sources) == 1
        }
        pending = [s for s in self.collect(selections, root_type) if not s.name.startswith("__")]
        # (__typename, __schema and __type are answered by the gateway)
        tried: dict[str, set[str]] = {}
        while pending:
            selection = pending.pop(0)
            field_model = self.type(root_type).fields.get(selection.name)
            if field_model is None:
                raise PlanningError(f"unknown field {root_type}.{selection.name}")
            if not field_model.sources:
                raise PlanningError(f"no subgraph resolves {root_type}.{selection.name}")

            ranked: list[tuple[int, int, int, str]] = []
            for candidate in field_model.sources:
                sub = _ZERO
                if selection.selections:
                    sub = self.cost(
                        selection.selections,
                        type_in(field_model, candidate),
                        candidate,
                        self.provided_by(
                            field_model.sources[candidate], type_in(field_model, candidate)
                        ),
                    )
                reuse = (previous is not None and previous.subgraph == candidate) or (
                    not serial and (candidate in root_groups or candidate in forced)
                )
                ranked.append((sub[0], sub[1], 0 if reuse else 1, candidate))
            best = min(ranked)
            graph = best[3]
            if best[0] > 0 and not serial:
                # no subgraph completes it alone (a shared root field of a value type):
                # ask the same field of several subgraphs, each for what it can answer
                done = tried.setdefault(selection.response_key, set())
                split = self.split_unreachable(selection, type_in(field_model, graph), graph, None)
                if split is not None and graph not in done:
                    done.add(graph)
                    selection, rest = split
                    pending.insert(0, rest)
            if serial:
                if previous is None or previous.subgraph != graph:
                    self.stage += 1
                    previous = self.new_group(graph, (), entity=False)
                group = previous
            else:
                group = root_groups.get(graph) or self.new_group(graph, (), entity=False)
                root_groups[graph] = group
            self.plan_field(selection, root_type, group, group.selection, (), None, selections)

    def plan_selections(
        self,
        selections: Sequence[NSelection],
        parent: str,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
    ) -> set[Group]:
        model = self.type(parent)
        if model.is_abstract:
            return self.plan_abstract(selections, model, group, out, path, provided)
        used: set[Group] = set()
        for selection in self.collect(selections, parent):
            used |= self.plan_field(selection, parent, group, out, path, provided, selections)
        return used

    def plan_abstract(
        self,
        selections: Sequence[NSelection],
        model: TypeModel,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
    ) -> set[Group]:
        graph = group.subgraph
        out.add_field("__typename", "__typename")
        if graph in model.interface_object_in:
            return self.plan_interface_object(selections, model, group, out, path, provided)
        used: set[Group] = {group}
        runtimes = self.model.possible_types_in(model.name, graph)
        pushed: list[NSelection] = []
        for selection in selections:
            if isinstance(selection, NFragment):
                pushed.append(selection)
                continue
            if selection.name == "__typename":
                out.add_field("__typename", selection.response_key)
                continue
            if model.kind == "interface" and self._interface_level(
                selection, model, graph, runtimes
            ):
                used |= self.plan_field(
                    selection, model.name, group, out, path, provided, selections
                )
            else:
                pushed.append(selection)
        if not pushed:
            return used
        for runtime in runtimes:
            applicable = self.collect(pushed, runtime)
            if not applicable:
                continue
            sub = out.fragment(runtime)
            runtime_provided = provided
            for selection in applicable:
                used |= self.plan_field(
                    selection, runtime, group, sub, path, runtime_provided, applicable
                )
        return used

    def plan_interface_object(
        self,
        selections: Sequence[NSelection],
        model: TypeModel,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
    ) -> set[Group]:
        """An @interfaceObject subgraph only knows the interface: what it cannot answer
        (the concrete type, fragments, other fields) comes from a subgraph that knows the
        implementations, through the interface's key."""
        graph = group.subgraph
        used: set[Group] = {group}
        rest: list[NSelection] = []
        shapes = self.response_key_shapes(selections, model.name)
        for selection in selections:
            if isinstance(selection, NFragment):
                hoisted, remainder = self.hoist_interface_fields(selection, model, graph, shapes)
                for field_selection in hoisted:
                    used |= self.plan_field(
                        field_selection, model.name, group, out, path, provided, selections
                    )
                rest.append(remainder)
                continue
            if isinstance(selection, NField) and selection.name != "__typename":
                field_model = model.fields.get(selection.name)
                source = field_model.sources.get(graph) if field_model else None
                if source is not None and not source.requires:
                    used |= self.plan_field(
                        selection, model.name, group, out, path, provided, selections
                    )
                    continue
                if field_model is not None and any(
                    g != graph and g in model.interface_object_in and model.keys.get(g)
                    for g in field_model.sources
                ):
                    # another @interfaceObject subgraph serves the field for every
                    # implementation: enter it with the interface's key, as the
                    # reference planners do, rather than finding the concrete type first
                    used |= self.jump(selection, model.name, group, out, path, provided, selections)
                    continue
            rest.append(selection)
        if not rest:
            return used
        targets = sorted(
            g
            for g in model.keys
            if g not in model.interface_object_in
            and g != graph
            and self.model.possible_types_in(model.name, g)
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
        key = model.keys[target][0]
        key_fields = self.fieldset(model.name, key)
        deps = self.plan_internal(key_fields, model.name, group, out, path, provided, selections)
        deps.add(group)
        keys = self.representation_keys(key_fields, model.name, selections, path)
        target_group = self.entity_group(target, path, deps, model.name, keys)
        builder = target_group.requires.setdefault(model.name, RequireBuilder())
        target_group.rep_typename[model.name] = model.name
        self.record_requires(key_fields, model.name, builder, keys)
        target_out = target_group.selection.fragment(model.name)
        used.add(target_group)
        used |= self.plan_selections(rest, model.name, target_group, target_out, path, None)
        return used

    def never_an_object(self, selection: NField, field_model: FieldModel, graph: str) -> bool:
        """An abstract field no object type of ``graph`` can fill, asked only for fields that
        need one (not ``__typename``, not fields of the interface ``graph`` resolves)."""
        if selection.selections is None:
            return False
        field_type = self.type(type_in(field_model, graph))
        if (
            not field_type.is_abstract
            or graph in field_type.interface_object_in
            or self.model.possible_types_in(field_type.name, graph)
        ):
            return False
        for sub in self.collect(selection.selections, field_type.name):
            if sub.name == "__typename":
                return False
            sub_field = field_type.fields.get(sub.name)
            if sub_field is not None and graph in sub_field.sources:
                return False
        return True

    def response_key_shapes(
        self, selections: Sequence[NSelection], parent: str
    ) -> dict[str, set[tuple[str, str]]]:
        """Response key -> every (field, arguments) the selection set asks under it,
        fragments included: a key with one meaning can move between fragments."""
        shapes: dict[str, set[tuple[str, str]]] = {}
        for selection in selections:
            if isinstance(selection, NFragment):
                for key, found in self.response_key_shapes(
                    selection.selections, selection.type_condition
                ).items():
                    shapes.setdefault(key, set()).update(found)
            else:
                shapes.setdefault(selection.response_key, set()).add(
                    (selection.name, _args_text(selection.arguments))
                )
        return shapes

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
                        or self.locally_resolvable(
                            selection.selections, type_in(field_model, graph), graph, None
                        )
                    )
                ):
                    hoisted.append(selection)
                    continue
            remainder.append(selection)
        return hoisted, NFragment(fragment.type_condition, tuple(remainder))

    def _interface_level(
        self, selection: NField, model: TypeModel, graph: str, runtimes: Sequence[str]
    ) -> bool:
        field_model = model.fields.get(selection.name)
        if field_model is None or graph not in field_model.sources:
            return False
        if field_model.sources[graph].requires:
            return False
        for runtime in runtimes:
            runtime_field = self.type(runtime).fields.get(selection.name)
            if runtime_field is None:
                return False
            source = runtime_field.sources.get(graph)
            if source is None or source.requires:
                return False
        if selection.selections:
            return all(
                self.locally_resolvable(
                    selection.selections,
                    type_in(self.type(r).fields[selection.name], graph),
                    graph,
                    None,
                )
                for r in runtimes
            )
        return True

    def plan_field(
        self,
        selection: NField,
        parent: str,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
        siblings: Sequence[NSelection],
    ) -> set[Group]:
        if selection.name == "__typename":
            out.add_field("__typename", selection.response_key)
            return {group}
        model = self.type(parent)
        field_model = model.fields.get(selection.name)
        if field_model is None:
            raise PlanningError(f"unknown field {parent}.{selection.name}")
        graph = group.subgraph
        sub_provided = self.provided_child(provided, parent, selection.name)
        source = field_model.sources.get(graph)
        local = (source is not None and not source.requires) or sub_provided is not None
        if local and selection.selections and model.kind == "object":
            if source is not None and source.provides:
                sub_provided = self.fieldset(type_in(field_model, graph), source.provides)
            here = self.cost(selection.selections, type_in(field_model, graph), graph, sub_provided)
            if here[0] > 0:
                split = self.split_unreachable(
                    selection, type_in(field_model, graph), graph, sub_provided
                )
                if split is not None:
                    # the reachable part stays here; the rest is the same field fetched
                    # again through the parent's entity key where it can be completed
                    reachable, unreachable = split
                    kept = self.plan_field(reachable, parent, group, out, path, provided, siblings)
                    return kept | self.jump(
                        unreachable, parent, group, out, path, provided, siblings
                    )
                alternative = self.best_jump(
                    selection, parent, graph, self.jump_sources(parent, selection.name)
                )
                if alternative is not None and alternative[0][0] < here[0]:
                    local = False
        if local and self.never_an_object(selection, field_model, graph):
            return {group}  # only null can come back: nothing to ask (as Apollo does)
        if local:
            if source is not None and source.provides:
                sub_provided = self.fieldset(type_in(field_model, graph), source.provides)
            composite = selection.selections is not None
            chosen = out.add_field(
                selection.name,
                selection.response_key,
                selection.arguments,
                selection.directives,
                composite,
            )
            chosen.shape = self.shape(
                (source.type_str if source else None) or field_model.type_str,
                type_in(field_model, graph),
            )
            used: set[Group] = {group}
            if selection.selections is not None and chosen.sub is not None:
                child_path = (
                    path + (selection.response_key,) + ("@",) * list_depth(field_model.type_str)
                )
                used |= self.plan_selections(
                    selection.selections,
                    type_in(field_model, graph),
                    group,
                    chosen.sub,
                    child_path,
                    sub_provided,
                )
                self.finish_object(chosen.sub, field_model, graph)
            return used
        return self.jump(selection, parent, group, out, path, provided, siblings)

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
        if selection.selections is None or self.type(field_type).kind != "object":
            return None
        reachable: list[NSelection] = []
        unreachable: list[NSelection] = []
        for sub in self.collect(selection.selections, field_type):
            if self.cost((sub,), field_type, graph, provided)[0] == 0:
                reachable.append(sub)
            else:
                unreachable.append(sub)
        if not reachable or not unreachable:
            return None

        def with_selections(subs: list[NSelection]) -> NField:
            return NField(
                selection.response_key,
                selection.name,
                selection.arguments,
                selection.directives,
                tuple(subs),
                selection.node,
            )

        return with_selections(reachable), with_selections(unreachable)

    def best_jump(
        self, selection: NField, parent: str, current: str, sources: Mapping[str, object]
    ) -> tuple[Cost, str] | None:
        best: tuple[Cost, str] | None = None
        field_model = self.type(parent).fields[selection.name]
        for target in sorted(sources):
            if target == current:
                continue
            if self.entry_keys(parent, target) is None:
                continue
            option: Cost = (0, 1)
            if selection.selections:
                option = _add(
                    option, self.cost(selection.selections, type_in(field_model, target), target)
                )
            if best is None or option < best[0]:
                best = (option, target)
        return best

    def jump(
        self,
        selection: NField,
        parent: str,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
        siblings: Sequence[NSelection],
    ) -> set[Group]:
        field_model = self.type(parent).fields[selection.name]
        current = group.subgraph
        sources = self.jump_sources(parent, selection.name)
        options: list[tuple[tuple[int, int, int, int, str], str, str, str, str]] = []
        for target in sources:
            entry = self.entry_keys(parent, target)
            if entry is None:
                continue
            condition, rep_typename, keys = entry
            key = next(
                (
                    k
                    for k in keys
                    if self.locally_resolvable(self.fieldset(parent, k), parent, current, provided)
                ),
                None,
            )
            if key is None and (parent, selection.name, current, target) in self._jumping:
                continue  # fetching this key would need this very jump again
            sub_cost = _ZERO
            if selection.selections:
                sub_cost = self.cost(selection.selections, type_in(field_model, target), target)
            existing = 0 if self.entity_index.get((self.stage, target, path)) else 1
            rank = (sub_cost[0], sub_cost[1] + (0 if key is not None else 1), existing, 0, target)
            options.append((rank, target, condition, rep_typename, key or keys[0]))
        if not options:
            raise PlanningError(
                f"cannot plan {parent}.{selection.name}: subgraph '{current}' cannot resolve it "
                f"and no subgraph that can ({', '.join(sorted(sources)) or 'none'}) "
                f"is reachable through an entity key of {parent}"
            )
        options.sort()
        rank, target, condition, rep_typename, key = options[0]
        if rank[0] > 0 and len(options) > 1:
            # no single subgraph completes the field: take what the best one can, and
            # fetch the rest of the same field through another subgraph
            split = self.split_unreachable(selection, type_in(field_model, target), target, None)
            if split is not None:
                reachable, rest = split
                used = self.jump_via(
                    reachable, parent, group, out, path, provided, siblings, options[0], sources
                )
                return used | self.jump(rest, parent, group, out, path, provided, siblings)
        return self.jump_via(
            selection, parent, group, out, path, provided, siblings, options[0], sources
        )

    def jump_via(
        self,
        selection: NField,
        parent: str,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
        siblings: Sequence[NSelection],
        option: tuple[tuple[int, int, int, int, str], str, str, str, str],
        sources: dict[str, FieldSource],
    ) -> set[Group]:
        _, target, condition, rep_typename, key = option
        current = group.subgraph
        attempt = (parent, selection.name, current, target)
        self._jumping.add(attempt)
        try:
            return self._jump_to(
                selection,
                parent,
                group,
                out,
                path,
                provided,
                siblings,
                target,
                condition,
                rep_typename,
                key,
                sources,
            )
        finally:
            self._jumping.discard(attempt)

    def _jump_to(
        self,
        selection: NField,
        parent: str,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
        siblings: Sequence[NSelection],
        target: str,
        condition: str,
        rep_typename: str,
        key: str,
        sources: dict[str, FieldSource],
    ) -> set[Group]:
        field_model = self.type(parent).fields[selection.name]

        deps: set[Group] = set()
        require_fields: list[NSelection] = list(self.fieldset(parent, key))
        source = sources[target]
        if source.requires:
            require_fields.extend(self.fieldset(parent, source.requires))
        out.add_field("__typename", "__typename")
        deps |= self.plan_internal(require_fields, parent, group, out, path, provided, siblings)
        deps.add(group)
        keys = self.representation_keys(require_fields, parent, siblings, path)
        target_group = self.entity_group(target, path, deps, parent, keys)
        builder = target_group.requires.setdefault(parent, RequireBuilder())
        target_group.rep_typename[parent] = rep_typename
        self.record_requires(require_fields, parent, builder, keys)
        parent_model = self.type(parent)
        if parent_model.is_abstract and target in parent_model.interface_object_in:
            # an earlier fetch may have replaced the interface's __typename by the
            # concrete type: every implementation is sent as the interface
            for runtime in self.model.possible_types(parent):
                target_group.requires.setdefault(runtime, builder)
                target_group.rep_typename[runtime] = rep_typename
        target_out = target_group.selection.fragment(condition)
        used = {target_group}
        composite = selection.selections is not None
        chosen = target_out.add_field(
            selection.name,
            selection.response_key,
            selection.arguments,
            selection.directives,
            composite,
        )
        if selection.selections is not None and chosen.sub is not None:
            child_path = (
                path + (selection.response_key,) + ("@",) * list_depth(field_model.type_str)
            )
            sub_provided = (
                self.fieldset(type_in(field_model, target), source.provides)
                if source.provides
                else None
            )
            used |= self.plan_selections(
                selection.selections,
                type_in(field_model, target),
                target_group,
                chosen.sub,
                child_path,
                sub_provided,
            )
            self.finish_object(chosen.sub, field_model, target)
        return used

    def internal_key(
        self,
        selection: NField,
        siblings: Sequence[NSelection],
        path: tuple[str, ...],
        parent: str,
    ) -> str:
        """Response key for a planner-added field: its name, unless the client uses that key
        for something else, or another planner-added field at this position already holds it
        with other arguments (two ``@requires`` of ``price(currency: USD)`` and
        ``price(currency: EUR)`` need both values)."""
        text = _args_text(selection.arguments)
        keys = self._internal_keys.setdefault((path, parent, selection.name), {})
        known = keys.get(text)
        if known is not None:
            return known
        key = selection.name
        for sibling in siblings:
            if (
                isinstance(sibling, NField)
                and sibling.response_key == selection.name
                and (sibling.name != selection.name or _args_text(sibling.arguments) != text)
            ):
                key = "_ag_" + selection.name
        taken = set(keys.values())
        count = 0
        while key in taken:
            count += 1
            key = f"_ag_{selection.name}_{count}"
        keys[text] = key
        return key

    def plan_internal(
        self,
        selections: Sequence[NSelection],
        parent: str,
        group: Group,
        out: SelSet,
        path: tuple[str, ...],
        provided: Sequence[NSelection] | None,
        siblings: Sequence[NSelection],
    ) -> set[Group]:
        used: set[Group] = set()
        for selection in self.collect(selections, parent):
            key = self.internal_key(selection, siblings, path, parent)
            internal = NField(key, selection.name, selection.arguments, (), selection.selections)
            used |= self.plan_field(internal, parent, group, out, path, provided, siblings)
        return used

    def representation_keys(
        self,
        selections: Sequence[NSelection],
        parent: str,
        siblings: Sequence[NSelection],
        path: tuple[str, ...],
    ) -> dict[str, str]:
        """Representation field -> response key it is read from, for the top level."""
        return {
            s.name: self.internal_key(s, siblings, path, parent)
            for s in self.collect(selections, parent)
        }

    def record_requires(
        self,
        selections: Sequence[NSelection],
        parent: str,
        builder: RequireBuilder,
        keys: Mapping[str, str] | None = None,
    ) -> None:
        for selection in self.collect(selections, parent):
            key = keys.get(selection.name, selection.name) if keys else selection.name
            nested = builder.add(selection.name, key, selection.selections is not None)
            if nested is not None and selection.selections is not None:
                field_model = self.type(parent).fields[selection.name]
                child = field_model.named_type
                child_model = self.type(child)
                if child_model.is_abstract:
                    for runtime in self.model.possible_types(child):
                        self.record_requires(selection.selections, runtime, nested)
                else:
                    self.record_requires(selection.selections, child, nested)
