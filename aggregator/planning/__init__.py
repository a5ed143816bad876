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
from aggregator.planning.planner import PlannedOperation, plan_operation

__all__ = [
    "Condition",
    "Fetch",
    "Flatten",
    "Parallel",
    "PlanNode",
    "PlannedOperation",
    "PlanningError",
    "QueryPlan",
    "RequiredField",
    "RequiredType",
    "Sequence",
    "plan_operation",
]
