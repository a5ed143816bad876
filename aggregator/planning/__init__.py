"""Operation + supergraph model -> QueryPlan (normalise, group, lay out)."""

from aggregator.planning.normalize import PlanningError
from aggregator.planning.plan import (
    Condition,
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
)

__all__ = [
    "Condition",
    "Fetch",
    "Flatten",
    "NormalizedOperation",
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
]
