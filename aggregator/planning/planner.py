"""Operation -> plan, the named stages in order: normalise, group, lay out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql.language import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    VariableDefinitionNode,
)

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


@dataclass(frozen=True, slots=True)
class NormalizedOperation:
    """The first stage's output: the client's selections with fragments and conditions decided."""

    kind: str
    name: str | None
    root_type: str
    selections: tuple[NSelection, ...]
    variable_definitions: dict[str, VariableDefinitionNode]


def normalize_operation(
    model: SupergraphModel,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    condition_values: Mapping[str, Any],
) -> NormalizedOperation:
    kind = operation.operation.value
    root_type = model.root_type(kind)
    if root_type is None:
        raise PlanningError(f"the supergraph has no {kind} type")
    if kind == "subscription":
        raise PlanningError("subscriptions are not supported by this gateway")
    normalizer = Normalizer(model, fragments_of(document), condition_values)
    selections = normalizer.selections(operation.selection_set, root_type)
    check_size(selections)
    definitions = {v.variable.name.value: v for v in operation.variable_definitions or ()}
    name = operation.name.value if operation.name else None
    return NormalizedOperation(kind, name, root_type, selections, definitions)


def plan_normalized(
    model: SupergraphModel,
    normalized: NormalizedOperation,
    plan_selections: tuple[NSelection, ...] | None = None,
) -> PlannedOperation:
    """Plan ``plan_selections`` (default: the normalised selections); projection reads
    ``normalized.selections``, so authorization can plan less than it projects."""
    selections = normalized.selections
    fetched = selections if plan_selections is None else plan_selections
    builder = GroupBuilder(model)
    builder.plan_root(normalized.root_type, fetched, serial=normalized.kind == "mutation")
    plan = build_plan(
        builder.groups, normalized.kind, normalized.name, normalized.variable_definitions
    )
    introspection = frozenset(
        s.response_key
        for s in selections
        if isinstance(s, NField) and s.name in ("__schema", "__type") and not s.denied
    )
    return PlannedOperation(plan, normalized.kind, normalized.root_type, selections, introspection)


def plan_operation(
    model: SupergraphModel,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    condition_values: Mapping[str, Any],
) -> PlannedOperation:
    return plan_normalized(
        model, normalize_operation(model, document, operation, condition_values)
    )
