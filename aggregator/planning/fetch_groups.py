"""Fetch groups: the subgraph requests a plan is made of, and how ``@requires`` feeds them.

A :class:`Group` is one request to one subgraph: a root fetch, or an ``_entities``
fetch at a response path, with the representation it needs for each entity type
(:class:`RequireBuilder`: key fields, plus the fields an ``@requires`` names) and the
groups whose answers must be merged in before its representations can be built.

:class:`FetchGroups` is the walk's construction kit. It opens a fresh group for every
root field and every entity jump (merging groups that can share a request is the job of
the optimisation passes, planning/optimize.py), chooses the response keys under which
planner-added fields are fetched (never one the client uses for something else, and one
per argument set, so ``price(currency: USD)`` and ``price(currency: EUR)`` required by
two fields can both be read), and records where each representation field is read from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from aggregator.planning.model_view import ModelView
from aggregator.planning.normalize import NField, NSelection
from aggregator.planning.selection import SelSet, args_text

__all__ = ["FetchGroups", "Group", "RequireBuilder"]


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

    def conflicts_with(self, keys: Mapping[str, str]) -> bool:
        """Some field would be read from another response key than it already is."""
        return any(
            name in self.fields and self.fields[name][0] != response_key
            for name, response_key in keys.items()
        )

    def merge(self, other: RequireBuilder) -> None:
        for name, (response_key, nested) in other.fields.items():
            mine = self.add(name, response_key, nested is not None)
            if mine is not None and nested is not None:
                mine.merge(nested)


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


def _fields_here(selections: Sequence[NSelection]) -> Iterator[NField]:
    """The client's fields at this position, also those inside fragments (whatever their
    type condition: they share the response object with the fields planned here)."""
    for selection in selections:
        if isinstance(selection, NField):
            yield selection
        else:
            yield from _fields_here(selection.selections)


class FetchGroups:
    def __init__(self, view: ModelView) -> None:
        self.view = view
        self.groups: list[Group] = []
        # mutations run root fields in order: a new stage whenever the subgraph changes
        self.stage = 0
        self._opened: set[tuple[int, str, tuple[str, ...]]] = set()
        # (path, type, field) -> arguments text -> response key of planner-added fields
        self._internal_keys: dict[tuple[tuple[str, ...], str, str], dict[str, str]] = {}

    def _new(self, subgraph: str, path: tuple[str, ...], entity: bool) -> Group:
        group = Group(len(self.groups), subgraph, path, self.stage, entity)
        self.groups.append(group)
        self._opened.add((self.stage, subgraph, path))
        return group

    def root(self, subgraph: str) -> Group:
        return self._new(subgraph, (), entity=False)

    def has(self, subgraph: str, path: tuple[str, ...]) -> bool:
        """A group for ``subgraph`` at ``path`` exists in this stage (one more can join it)."""
        return (self.stage, subgraph, path) in self._opened

    def entity(
        self,
        subgraph: str,
        path: tuple[str, ...],
        deps: set[Group],
        type_name: str,
        rep_typename: str,
        required: Sequence[NSelection],
        keys: Mapping[str, str],
    ) -> Group:
        """A new ``_entities`` group whose representations of ``type_name`` (sent as
        ``rep_typename``) hold ``required``, read from the response keys ``keys``."""
        group = self._new(subgraph, path, entity=True)
        group.deps |= deps
        builder = group.requires.setdefault(type_name, RequireBuilder())
        group.rep_typename[type_name] = rep_typename
        self.record_requires(required, type_name, builder, keys)
        return group

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
        text = args_text(selection.arguments)
        keys = self._internal_keys.setdefault((path, parent, selection.name), {})
        known = keys.get(text)
        if known is not None:
            return known
        key = selection.name
        for sibling in _fields_here(siblings):
            if sibling.response_key == selection.name and (
                sibling.name != selection.name or args_text(sibling.arguments) != text
            ):
                key = "_ag_" + selection.name
        taken = set(keys.values())
        count = 0
        while key in taken:
            count += 1
            key = f"_ag_{selection.name}_{count}"
        keys[text] = key
        return key

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
            for s in self.view.collect(selections, parent)
        }

    def record_requires(
        self,
        selections: Sequence[NSelection],
        parent: str,
        builder: RequireBuilder,
        keys: Mapping[str, str] | None = None,
    ) -> None:
        view = self.view
        for selection in view.collect(selections, parent):
            key = keys.get(selection.name, selection.name) if keys else selection.name
            nested = builder.add(selection.name, key, selection.selections is not None)
            if nested is not None and selection.selections is not None:
                child = view.type(parent).fields[selection.name].named_type
                if view.type(child).is_abstract:
                    for runtime in view.model.possible_types(child):
                        self.record_requires(selection.selections, runtime, nested)
                else:
                    self.record_requires(selection.selections, child, nested)
