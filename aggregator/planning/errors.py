"""Why planning stops: the planner's exception hierarchy.

    PlanningError            the operation cannot be planned over this supergraph
    └── OperationTooComplex  the operation is too big or too deep (a client mistake)

The gateway answers ``PlanningError`` with ``QUERY_PLANNING_FAILED`` (a graph that
cannot serve the operation, or a planner bug) and ``OperationTooComplex`` with
``GRAPHQL_VALIDATION_FAILED``.
"""

from __future__ import annotations

__all__ = ["OperationTooComplex", "PlanningError"]


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a bug or an unsatisfiable graph)."""


class OperationTooComplex(PlanningError):
    """The operation expands to more fields than the gateway will plan (a client mistake)."""
