"""Schema checks: which changes between two supergraphs break or endanger clients."""

from aggregator.schema_check.api_schema import api_schema
from aggregator.schema_check.changes import check_schemas, check_sdl, coordinate_of, deprecations
from aggregator.schema_check.model import Change, Deprecation, SchemaCheck, Severity
from aggregator.schema_check.operations import OPERATION_BROKEN, broken_operations
from aggregator.schema_check.report import format_table, to_json

__all__ = [
    "OPERATION_BROKEN",
    "Change",
    "Deprecation",
    "SchemaCheck",
    "Severity",
    "api_schema",
    "broken_operations",
    "check_schemas",
    "check_sdl",
    "coordinate_of",
    "deprecations",
    "format_table",
    "to_json",
]
