"""Operation + supergraph model -> QueryPlan, in named stages (see planner.py)."""

from aggregator.planning.errors import OperationTooComplex, PlanningError
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
from aggregator.planning.planner import (
    NormalizedOperation,
    PlannedOperation,
    normalize_operation,
    plan_normalized,
    plan_operation,
    plan_stages,
)

__all__ = [
    "Fetch",
    "Flatten",
    "NormalizedOperation",
    "OperationTooComplex",
    "Parallel",
    "PlanNode",
    "PlannedOperation",
    "PlanningError",
    "QueryPlan",
    "RequiredField",
    "RequiredType",
    "Sequence",
    "normalize_operation",
    "plan_normalized",
    "plan_operation",
    "plan_stages",
]
