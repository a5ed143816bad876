"""Validation of client documents: graphql-core's rules, with field merging made linear.

See ``overlap.py`` for why and how, and ``rules.py`` for how the verdict and
graphql-core's messages are put together.
"""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSchema, validate
from graphql.language import DocumentNode

from aggregator.validation.overlap import Conflict, Undecided, find_conflict
from aggregator.validation.rules import (
    IntrospectionDisabledRule,
    OverlappingFieldsRule,
    validation_rules,
)

__all__ = [
    "Conflict",
    "IntrospectionDisabledRule",
    "OverlappingFieldsRule",
    "Undecided",
    "find_conflict",
    "validate_document",
    "validation_rules",
]


def validate_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    introspection: bool = True,
    suggestions: bool = True,
) -> list[GraphQLError]:
    """graphql-core's verdict and messages, without its quadratic field-merging check."""
    return validate(
        schema,
        document,
        validation_rules(introspection=introspection),
        hide_suggestions=not suggestions,
    )
