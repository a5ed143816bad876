"""Stage 5: optimised fetch groups -> the QueryPlan, with each fetch's subgraph operation.

Receives the groups (planning/optimize.py), the operation kind and name and the client's
variable definitions; returns a :class:`QueryPlan`.

Groups are laid out in dependency waves: every fetch of a wave is independent
of the others, so a wave is a ``Parallel`` node and the waves form a
``Sequence``. Waves also let the executor merge all fetches of a wave that go
to the same subgraph into one HTTP request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from graphql.language import VariableDefinitionNode, print_ast

from aggregator.planning.fetch_groups import Group, RequireBuilder
from aggregator.planning.plan import (
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiredField,
    RequiredType,
    Sequence,
)
from aggregator.planning.selection import SelSet

_UNSAFE = re.compile(r"[^_0-9A-Za-z]")


def _required(builder: RequireBuilder) -> tuple[RequiredField, ...]:
    return tuple(
        RequiredField(name, key, _required(sub) if sub is not None else None)
        for name, (key, sub) in builder.fields.items()
    )


def _variable_definitions(
    used: list[str], definitions: Mapping[str, VariableDefinitionNode]
) -> list[str]:
    """The client's declarations of the variables a fetch uses, defaults included: a
    nullable variable with a default may stand in a non-null position (the spec's "All
    Variable Usages Are Allowed") only while the default is declared."""
    out = []
    for name in used:
        definition = definitions.get(name)
        if definition is not None:
            text = f"${name}: {print_ast(definition.type)}"
            if definition.default_value is not None:
                text += f" = {print_ast(definition.default_value)}"
            out.append(text)
    return out


def _alias_conflicts(selection: SelSet) -> None:
    selection.alias_conflicting_fragments()
    for item in selection.items.values():
        sub = item.sub
        if sub is not None:
            _alias_conflicts(sub)


def _fetch(
    group: Group,
    index: int,
    operation_kind: str,
    operation_name: str | None,
    definitions: Mapping[str, VariableDefinitionNode],
) -> Fetch:
    _alias_conflicts(group.selection)
    used = list(dict.fromkeys(group.selection.variables()))
    used = [u for u in used if u in definitions]
    name = None
    if operation_name:
        name = f"{operation_name}__{_UNSAFE.sub('_', group.subgraph)}__{index}"
    var_defs = _variable_definitions(used, definitions)
    if group.entity:
        var_defs.insert(0, "$representations: [_Any!]!")
        body = "{_entities(representations: $representations)" + group.selection.text() + "}"
        kind = "query"
    else:
        body = group.selection.text()
        kind = operation_kind
    head = kind
    if name:
        head += " " + name
    if var_defs:
        head += "(" + ", ".join(var_defs) + ")"
    requires = None
    if group.entity:
        requires = tuple(
            RequiredType(
                type_name, group.rep_typename.get(type_name, type_name), _required(builder)
            )
            for type_name, builder in group.requires.items()
        )
    return Fetch(
        id=index,
        service_name=group.subgraph,
        operation=head + body,
        operation_kind=kind,
        variable_usages=tuple(used),
        requires=requires,
        operation_name=name,
        variable_definitions=tuple(_variable_definitions(used, definitions)),
        selection_text=group.selection.text(),
        renames=group.selection.renames(),
    )


def _waves(groups: list[Group]) -> list[list[Group]]:
    level: dict[int, int] = {}

    def depth(group: Group) -> int:
        cached = level.get(group.id)
        if cached is not None:
            return cached
        level[group.id] = 0
        value = 0 if not group.deps else 1 + max(depth(d) for d in group.deps)
        level[group.id] = value
        return value

    waves: dict[int, list[Group]] = {}
    for group in groups:
        waves.setdefault(depth(group), []).append(group)
    return [waves[k] for k in sorted(waves)]


def _wrap(kind: type[Sequence] | type[Parallel], nodes: list[PlanNode]) -> PlanNode | None:
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return kind(tuple(nodes))


def build_plan(
    groups: list[Group],
    operation_kind: str,
    operation_name: str | None,
    definitions: Mapping[str, VariableDefinitionNode],
) -> QueryPlan:
    live = [g for g in groups if g.selection]
    stages: dict[int, list[Group]] = {}
    for group in live:
        stages.setdefault(group.stage, []).append(group)
    counter = 0
    stage_nodes: list[PlanNode] = []
    for stage in sorted(stages):
        wave_nodes: list[PlanNode] = []
        for wave in _waves(stages[stage]):
            nodes: list[PlanNode] = []
            for group in wave:
                fetch = _fetch(group, counter, operation_kind, operation_name, definitions)
                counter += 1
                nodes.append(Flatten(group.path, fetch) if group.entity else fetch)
            wrapped = _wrap(Parallel, nodes)
            if wrapped is not None:
                wave_nodes.append(wrapped)
        wrapped_stage = _wrap(Sequence, wave_nodes)
        if wrapped_stage is not None:
            stage_nodes.append(wrapped_stage)
    return QueryPlan(_wrap(Sequence, stage_nodes))
