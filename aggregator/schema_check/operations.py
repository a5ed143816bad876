"""Client operations as a check: which known operations stop validating.

A schema diff says what changed; an operation that validated against the
old schema and fails against the new one says whom it breaks. Operations
come from the config's ``example_operations`` or files given to ``check``.
Operations already invalid before the change are not blamed on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLError, GraphQLSchema, parse, validate

from aggregator.schema_check.model import Change, Severity

OPERATION_BROKEN = "OPERATION_BROKEN"


def broken_operations(
    old: GraphQLSchema, new: GraphQLSchema, operations: Iterable[tuple[str, str]]
) -> list[Change]:
    """``operations`` are (name, document text); one breaking change per newly broken one."""
    broken: list[Change] = []
    for name, text in operations:
        if _errors(old, text):
            continue
        errors = _errors(new, text)
        if errors:
            broken.append(
                Change(
                    Severity.BREAKING,
                    OPERATION_BROKEN,
                    name,
                    f"Operation {name!r} no longer validates: {errors[0]}",
                )
            )
    return broken


def _errors(schema: GraphQLSchema, text: str) -> list[str]:
    try:
        document = parse(text)
    except GraphQLError as exc:
        return [exc.message]
    return [error.message for error in validate(schema, document)]
