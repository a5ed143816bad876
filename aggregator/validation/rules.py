"""The validation rule set: graphql-core's, with field merging made linear.

``OverlappingFieldsRule`` takes the place of graphql-core's
``OverlappingFieldsCanBeMergedRule`` in the specified rules. It decides with the
near-linear check of ``overlap.py`` before the visit starts; a document without a
conflict (nearly every one) costs nothing more. Only when that check finds a
conflict (or cannot decide) does graphql-core's own rule run, forwarded the same
visitor events at the same point of the visit, so the messages, locations and their
order stay exactly graphql-js's (``graphql_js.py``: every selection set is checked, as
graphql-js does). That run is held to a small complexity budget
(a hostile document with a conflict cannot make it long); if it gives up, the
conflict our check found is reported in the same words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError
from graphql.language import DocumentNode, FieldNode
from graphql.validation import (
    ASTValidationRule,
    OverlappingFieldsCanBeMergedRule,
    ValidationContext,
    ValidationRule,
    specified_rules,
)
from graphql.validation.validate import ValidationAbortedError

from aggregator.errors import ErrorCode
from aggregator.validation.graphql_js import FieldMergingLikeGraphqlJs
from aggregator.validation.overlap import Conflict, Undecided, find_conflict

__all__ = ["IntrospectionDisabledRule", "OverlappingFieldsRule", "validation_rules"]

log = logging.getLogger("aggregator.validation")

# graphql-core's rule runs only for documents with a conflict; past this many units of
# its complexity budget (about 0.1 s) our own message is reported instead
MESSAGE_BUDGET = 50_000
_ABORTED = "Validation aborted."


class _Bounded(FieldMergingLikeGraphqlJs):
    def __init__(self, context: ValidationContext, budget: int | None) -> None:
        super().__init__(context)
        if budget is not None:
            self.rule_context.remaining_complexity_budget = budget
        self.reported = 0

    def report_error(self, error: GraphQLError) -> None:
        self.reported += 1
        super().report_error(error)


def conflict_error(conflict: Conflict) -> GraphQLError:
    return GraphQLError(
        f"Fields '{conflict.response_name}' conflict because {conflict.reason}. "
        "Use different aliases on the fields to fetch both if this was intentional.",
        [conflict.first, conflict.second],
    )


class OverlappingFieldsRule(ValidationRule):
    """Fields with one response name must merge; decided in near-linear time."""

    context: ValidationContext

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.inner: _Bounded | None = None
        self.conflict: Conflict | None = None

    def enter_document(self, node: DocumentNode, *_args: Any) -> Any:
        try:
            conflict = find_conflict(self.context.schema, node)
        except (Undecided, RecursionError):
            self.inner = _Bounded(self.context, None)  # graphql-core decides, as it would
            return None
        if conflict is None:
            return self.SKIP
        self.conflict = conflict
        self.inner = _Bounded(self.context, MESSAGE_BUDGET)
        return None

    def leave_document(self, *_args: Any) -> None:
        inner = self.inner
        if inner is not None and self.conflict is not None and not inner.reported:
            log.warning("graphql-core found no conflict where ours did: %s", self.conflict)

    def _forward(self, name: str, args: Sequence[Any]) -> None:
        inner = self.inner
        if inner is None:
            return
        try:
            getattr(inner, name)(*args)
        except ValidationAbortedError as exc:
            if str(exc) != _ABORTED:
                raise  # the error limit of the whole validation
            self.inner = None
            if self.conflict is None:
                raise
            if not inner.reported:
                self.report_error(conflict_error(self.conflict))

    def enter_selection_set(self, *args: Any) -> None:
        self._forward("enter_selection_set", args)

    def enter_fragment_definition(self, *args: Any) -> None:
        self._forward("enter_fragment_definition", args)

    def leave_fragment_definition(self, *args: Any) -> None:
        self._forward("leave_fragment_definition", args)


class IntrospectionDisabledRule(ValidationRule):
    """Refuses ``__schema`` and ``__type`` where introspection is turned off.

    ``__typename`` stays allowed: clients need it to tell abstract types apart.
    """

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        name = node.name.value
        if name in ("__schema", "__type"):
            self.report_error(
                GraphQLError(
                    f"GraphQL introspection is not allowed here; the operation asked for '{name}'.",
                    node,
                    extensions={"code": str(ErrorCode.INTROSPECTION_DISABLED)},
                )
            )


_BASE: tuple[type[ASTValidationRule], ...] = tuple(
    OverlappingFieldsRule if rule is OverlappingFieldsCanBeMergedRule else rule
    for rule in specified_rules
)


def validation_rules(*, introspection: bool = True) -> tuple[type[ASTValidationRule], ...]:
    """graphql-core's specified rules with linear field merging (and introspection off)."""
    return _BASE if introspection else (*_BASE, IntrospectionDisabledRule)
