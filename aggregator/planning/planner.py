"""Operation -> plan, the named stages in order.

1. normalise (normalize.py): the client's operation -> a selection tree with fragments
   inlined and ``@skip``/``@include`` decided;
2. walk (walk.py, with the cost model in cost.py): the tree -> one fetch group per root
   field and per entity jump;
3. optimise (optimize.py): merge groups that can share a subgraph request;
4. build (build.py): groups -> the QueryPlan (dependency waves, subgraph operations).

Every stage is a plain function of the supergraph model and the previous stage's
output, so each can be called and tested without a Gateway; :func:`plan_stages` runs
them one by one and prints what each produced (``aggregator plan --stages``).
Authorization sits between stages 1 and 2 (docs/decisions/0008): it reads the
normalised operation and hands :func:`plan_normalized` the selections it may fetch,
while projection keeps reading every selection (withheld ones answer null).
"""

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
from aggregator.planning.describe import describe_groups, describe_selections
from aggregator.planning.errors import PlanningError
from aggregator.planning.normalize import NField, Normalizer, NSelection, check_size
from aggregator.planning.optimize import PASSES
from aggregator.planning.plan import QueryPlan
from aggregator.planning.walk import walk
from aggregator.supergraph.model import SupergraphModel

__all__ = [
    "NormalizedOperation",
    "PlannedOperation",
    "normalize_operation",
    "plan_normalized",
    "plan_operation",
    "plan_stages",
]


@dataclass(frozen=True, slots=True)
class NormalizedOperation:
    """Stage 1's output: what the operation asks, in terms of the supergraph."""

    kind: str
    name: str | None
    root_type: str
    selections: tuple[NSelection, ...]
    variable_definitions: dict[str, VariableDefinitionNode]


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
    """Stages 2-4 over ``plan_selections`` (default: the normalised selections);
    projection reads ``normalized.selections``, so authorization can plan less than
    it projects."""
    selections = normalized.selections
    fetched = selections if plan_selections is None else plan_selections
    groups = walk(model, normalized.root_type, fetched, serial=normalized.kind == "mutation")
    for optimisation in PASSES:
        groups = optimisation(groups)
    plan = build_plan(groups, normalized.kind, normalized.name, normalized.variable_definitions)
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
    return plan_normalized(model, normalize_operation(model, document, operation, condition_values))


def plan_stages(
    model: SupergraphModel,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    condition_values: Mapping[str, Any],
) -> list[tuple[str, str]]:
    """Each stage's output, printed: (stage name, text), in order."""
    normalized = normalize_operation(model, document, operation, condition_values)
    stages = [("normalize", describe_selections(normalized.selections))]
    groups = walk(
        model, normalized.root_type, normalized.selections, serial=normalized.kind == "mutation"
    )
    stages.append(("walk", describe_groups(groups)))
    for optimisation in PASSES:
        groups = optimisation(groups)
        stages.append((f"optimize: {optimisation.__name__}", describe_groups(groups)))
    plan = build_plan(groups, normalized.kind, normalized.name, normalized.variable_definitions)
    stages.append(("build", str(plan)))
    return stages
