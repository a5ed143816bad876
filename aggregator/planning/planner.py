"""Operation -> plan, the named stages in order: normalise, group, lay out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql.language import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode

from aggregator.planning.build import build_plan
from aggregator.planning.groups import GroupBuilder
from aggregator.planning.normalize import (
    NField,
    Normalizer,
    NSelection,
    PlanningError,
    check_size,
)
from aggregator.planning.plan import QueryPlan
from aggregator.supergraph.model import SupergraphModel


@dataclass(frozen=True, slots=True)
class PlannedOperation:
    plan: QueryPlan
    operation_kind: str
    root_type: str
    selections: tuple[NSelection, ...]
    # root response keys answered by graphql-core introspection (__schema, __type)
    introspection_keys: frozenset[str]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def plan_operation(
    model: SupergraphModel,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    condition_values: Mapping[str, Any],
) -> PlannedOperation:
    kind = operation.operation.value
    root_type = model.root_type(kind)
    if root_type is None:
        raise PlanningError(f"the supergraph has no {kind} type")
    if kind == "subscription":
        raise PlanningError("subscriptions are not supported by this gateway")
    normalizer = Normalizer(model, fragments_of(document), condition_values)
    selections = normalizer.selections(operation.selection_set, root_type)
    check_size(selections)
    builder = GroupBuilder(model)
    builder.plan_root(root_type, selections, serial=kind == "mutation")
    definitions = {v.variable.name.value: v for v in operation.variable_definitions or ()}
    name = operation.name.value if operation.name else None
    plan = build_plan(builder.groups, kind, name, definitions)
    introspection = frozenset(
        s.response_key
        for s in selections
        if isinstance(s, NField) and s.name in ("__schema", "__type")
    )
    return PlannedOperation(plan, kind, root_type, selections, introspection)
