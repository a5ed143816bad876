"""Field merging reported the way graphql-js reports it (used by ``rules.py`` whenever
the linear check finds a conflict, so the messages and their count are graphql-js's).

Clients move between this gateway and the JavaScript gateways (Apollo Gateway, Hive
Gateway); an invalid operation should fail with the same errors everywhere. graphql-core
3.3 checks a conflict inside an inline fragment once, at the enclosing selection set;
graphql-js 16, which both reference gateways run, checks every selection set, so a
conflict inside ``... on T { a: x a: y }`` is reported once per enclosing level.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from graphql.language import SelectionSetNode
from graphql.validation.rules.overlapping_fields_can_be_merged import (
    OverlappingFieldsCanBeMergedRule,
    find_conflicts_within_selection_set,
    maybe_abbreviate,
)

__all__ = ["FieldMergingLikeGraphqlJs"]


class FieldMergingLikeGraphqlJs(OverlappingFieldsCanBeMergedRule):
    """OverlappingFieldsCanBeMerged, checked at every selection set as graphql-js does."""

    def enter_selection_set(self, selection_set: SelectionSetNode, *_args: Any) -> None:
        conflicts = find_conflicts_within_selection_set(
            self.context,
            self.rule_context,
            self.context.get_parent_type(),
            selection_set,
            self.fragment_scope,
        )
        for response_name, reason, fields1, fields2 in conflicts:
            self.report_error(
                GraphQLError(
                    f"Fields '{maybe_abbreviate(response_name)}' conflict because {reason}."
                    " Use different aliases on the fields to fetch both"
                    " if this was intentional.",
                    fields1 + fields2,
                )
            )
