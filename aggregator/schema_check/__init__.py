"""Schema checks: which changes between two supergraphs break or endanger clients."""

from aggregator.schema_check.api_schema import api_schema
from aggregator.schema_check.changes import (
    Change,
    Deprecation,
    SchemaCheck,
    Severity,
    check_schemas,
    check_sdl,
    coordinate_of,
    deprecations,
)
from aggregator.schema_check.report import format_table, to_json

__all__ = [
    "Change",
    "Deprecation",
    "SchemaCheck",
    "Severity",
    "api_schema",
    "check_schemas",
    "check_sdl",
    "coordinate_of",
    "deprecations",
    "format_table",
    "to_json",
]
