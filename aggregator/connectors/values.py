"""Backend JSON -> GraphQL values, checked against the declared type.

Objects are wrapped in ``Node`` (the JSON, the HTTP status it came with, the
agency) so a nested field that does not fit can still report where it came
from. A value that does not fit (a string for an ``Int``, a missing non-null
field, a scalar where an object belongs) raises a GraphQL error with
``SUBREQUEST_MALFORMED_RESPONSE`` at that field; siblings are unaffected.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
)

from aggregator.errors import SERVICE_NAME, ErrorCode

__all__ = ["Node", "misfit", "to_graphql"]


class Node:
    __slots__ = ("data", "source", "status", "typename")

    def __init__(
        self, data: dict[str, Any], status: int, source: str, typename: str | None = None
    ) -> None:
        self.data = data
        self.status = status
        self.source = source
        self.typename = typename

    def __repr__(self) -> str:
        return f"Node({self.typename or ''} {self.data!r})"


def misfit(message: str, status: int, source: str) -> GraphQLError:
    return GraphQLError(
        f"{source}: {message}",
        extensions={
            "code": str(ErrorCode.SUBREQUEST_MALFORMED_RESPONSE),
            SERVICE_NAME: source,
            "http": {"status": status},
        },
    )


def to_graphql(value: Any, type_: GraphQLOutputType, status: int, source: str) -> Any:
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            raise misfit(f"backend returned no value for non-null {type_}", status, source)
        return to_graphql(value, type_.of_type, status, source)
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        if not isinstance(value, list):
            raise misfit(f"expected a JSON array for {type_}", status, source)
        item_type = type_.of_type
        return [to_graphql(item, item_type, status, source) for item in value]
    if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
        try:
            type_.serialize(value)
        except (GraphQLError, TypeError, ValueError) as error:
            message = f"value {value!r:.60} does not fit {type_.name}"
            raise misfit(message, status, source) from error
        return value
    if isinstance(value, Node):
        return value
    if not isinstance(value, dict):
        raise misfit(f"expected a JSON object for {type_}", status, source)
    return Node(value, status, source)
