"""What changed between two schemas, and how much it can hurt existing clients.

graphql-core decides what is breaking or dangerous (it is the reference
port of graphql-js, so our verdicts match the wider GraphQL tooling). This
module adds what it lacks for a review: a schema coordinate per change so a
table can be sorted and grepped, and the list of deprecated elements with
their reasons, flagging the ones deprecated by this change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from graphql import (
    GraphQLSchema,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_introspection_type,
    is_object_type,
    is_specified_scalar_type,
)
from graphql.utilities.find_schema_changes import (
    BreakingChangeType,
    DangerousChangeType,
    find_schema_changes,
)

from aggregator.schema_check.api_schema import api_schema
from aggregator.schema_check.model import Change, Deprecation, SchemaCheck, Severity
from aggregator.schema_check.operations import broken_operations


def check_sdl(
    old_sdl: str, new_sdl: str, operations: Iterable[tuple[str, str]] = ()
) -> SchemaCheck:
    """Compare two supergraph (or plain) SDLs as clients see them."""
    return check_schemas(api_schema(old_sdl), api_schema(new_sdl), operations)


def check_schemas(
    old: GraphQLSchema, new: GraphQLSchema, operations: Iterable[tuple[str, str]] = ()
) -> SchemaCheck:
    """Schema changes, plus (name, text) operations that validated before and fail now."""
    changes = broken_operations(old, new, operations)
    for change in find_schema_changes(old, new):
        if isinstance(change.type, BreakingChangeType):
            severity = Severity.BREAKING
        elif isinstance(change.type, DangerousChangeType):
            severity = Severity.DANGEROUS
        else:
            severity = Severity.SAFE
        changes.append(
            Change(
                severity, change.type.name, coordinate_of(change.description), change.description
            )
        )
    order = list(Severity)
    changes.sort(key=lambda c: (order.index(c.severity), c.coordinate, c.kind))
    old_deprecated = {d.coordinate for d in deprecations(old)}
    found = tuple(
        Deprecation(d.coordinate, d.reason, d.coordinate not in old_deprecated)
        for d in deprecations(new)
    )
    return SchemaCheck(tuple(changes), found)


_DIRECTIVE = re.compile(r"@[A-Za-z_]\w*(?:\([A-Za-z_]\w*:\))?")
_MEMBER = re.compile(r"\b[A-Za-z_]\w*\.[A-Za-z_]\w*(?:\([A-Za-z_]\w*:\))?")
_CONTAINER = re.compile(r"(?:union type|implemented by|no longer implements interface)\s+(\w+)")
_LEADING = re.compile(r"^(?:Standard scalar\s+)?([A-Za-z_]\w*)")


def coordinate_of(description: str) -> str:
    """The schema coordinate a graphql-core change description is about."""
    for pattern in (_DIRECTIVE, _MEMBER):
        match = pattern.search(description)
        if match:
            return match.group(0)
    container = _CONTAINER.search(description)
    if container:
        if "no longer implements" in description:
            return _LEADING.match(description).group(1)  # type: ignore[union-attr]
        return container.group(1)
    leading = _LEADING.match(description)
    return leading.group(1) if leading else ""


def deprecations(schema: GraphQLSchema) -> list[Deprecation]:
    """Every deprecated field, argument, input field and enum value, in schema order."""
    found: list[Deprecation] = []
    for name, type_ in schema.type_map.items():
        if is_introspection_type(type_) or is_specified_scalar_type(type_):
            continue
        if is_object_type(type_) or is_interface_type(type_):
            for field_name, field in type_.fields.items():
                if field.deprecation_reason is not None:
                    found.append(
                        Deprecation(f"{name}.{field_name}", field.deprecation_reason, False)
                    )
                for arg_name, arg in field.args.items():
                    if arg.deprecation_reason is not None:
                        found.append(
                            Deprecation(
                                f"{name}.{field_name}({arg_name}:)", arg.deprecation_reason, False
                            )
                        )
        elif is_input_object_type(type_):
            for field_name, field in type_.fields.items():
                if field.deprecation_reason is not None:
                    found.append(
                        Deprecation(f"{name}.{field_name}", field.deprecation_reason, False)
                    )
        elif is_enum_type(type_):
            for value_name, value in type_.values.items():
                if value.deprecation_reason is not None:
                    found.append(
                        Deprecation(f"{name}.{value_name}", value.deprecation_reason, False)
                    )
    return found
