"""Stage 4: optimisation passes over the fetch groups the walk opened.

The walk (planning/walk.py) opens a fresh group for every root field and every entity
jump, so its output is valid but wasteful: one request per field. Each pass here
receives the list of groups and returns a shorter one that is still a valid plan: every
field is still fetched exactly where the walk put it, every representation still has
the fields it needs, and dependencies stay acyclic (two groups merge only when neither
depends on the other).

Passes run in :data:`PASSES` order; merged selections keep the order in which the walk
added their fields (planning/selection.py), so a merged fetch reads as if it had been
built in one piece.
"""

from __future__ import annotations

from collections.abc import Callable

from aggregator.planning.fetch_groups import Group, RequireBuilder
from aggregator.planning.selection import merge_into

__all__ = ["PASSES", "merge_entity_fetches", "merge_root_fetches", "optimize"]

Pass = Callable[[list[Group]], list[Group]]


def merge_root_fetches(groups: list[Group]) -> list[Group]:
    """Root fields one subgraph answers in the same stage go in one request.

    Root groups depend on nothing, so merging them cannot make a cycle; a mutation's
    stages keep its root fields in order (a new stage whenever the subgraph changes)."""
    first: dict[tuple[int, str], Group] = {}
    merged: dict[Group, Group] = {}
    for group in groups:
        if group.entity:
            continue
        key = (group.stage, group.subgraph)
        into = first.setdefault(key, group)
        if into is not group:
            _absorb(into, group)
            merged[group] = into
    return _rewire(groups, merged)


def merge_entity_fetches(groups: list[Group]) -> list[Group]:
    """``_entities`` calls to one subgraph at one path in one stage share a request,
    unless the later one depends on the earlier (directly or not), or their
    representations of a type would read one field from two response keys (the same
    field required with different arguments). Groups are considered in the order the
    walk opened them, each joining the first earlier group it can."""
    survivors: dict[tuple[int, str, tuple[str, ...]], list[Group]] = {}
    merged: dict[Group, Group] = {}
    for group in groups:
        if not group.entity:
            continue
        key = (group.stage, group.subgraph, group.path)
        candidates = survivors.setdefault(key, [])
        into = next((c for c in candidates if _can_merge(c, group)), None)
        if into is None:
            candidates.append(group)
            continue
        _absorb(into, group)
        merged[group] = into
        _replace_in_deps(groups, group, into)
    return _rewire(groups, merged)


PASSES: tuple[Pass, ...] = (merge_root_fetches, merge_entity_fetches)


def optimize(groups: list[Group], passes: tuple[Pass, ...] = PASSES) -> list[Group]:
    for optimisation in passes:
        groups = optimisation(groups)
    return groups


def _can_merge(into: Group, group: Group) -> bool:
    if group.depends_on(into) or into.depends_on(group):
        return False
    for type_name, builder in group.requires.items():
        existing = into.requires.get(type_name)
        if existing is not None and existing.conflicts_with(
            {name: key for name, (key, _) in builder.fields.items()}
        ):
            return False
    return True


def _absorb(into: Group, group: Group) -> None:
    merge_into(into.selection, group.selection)
    # several types may share one builder (an interface and its implementations sent
    # as the interface): they keep sharing the merged one
    adopted: dict[int, RequireBuilder] = {}
    for type_name, builder in group.requires.items():
        existing = into.requires.get(type_name)
        if existing is None:
            existing = adopted.get(id(builder))
            if existing is None:
                into.requires[type_name] = builder
                adopted[id(builder)] = builder
                continue
            into.requires[type_name] = existing
            continue
        if id(builder) not in adopted:
            existing.merge(builder)
            adopted[id(builder)] = existing
    for type_name, sent_as in group.rep_typename.items():
        into.rep_typename.setdefault(type_name, sent_as)
    into.deps |= group.deps - {into}


def _replace_in_deps(groups: list[Group], old: Group, new: Group) -> None:
    for group in groups:
        if old in group.deps:
            group.deps.discard(old)
            if group is not new:
                group.deps.add(new)


def _rewire(groups: list[Group], merged: dict[Group, Group]) -> list[Group]:
    if not merged:
        return groups
    for group in groups:
        if group.deps & merged.keys():
            group.deps = {merged.get(d, d) for d in group.deps} - {group}
    return [g for g in groups if g not in merged]
