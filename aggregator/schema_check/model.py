"""A schema check's result as plain data: changes with severities, deprecations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    BREAKING = "breaking"
    DANGEROUS = "dangerous"
    SAFE = "safe"


@dataclass(frozen=True, slots=True)
class Change:
    severity: Severity
    kind: str  # graphql-core's change type name, e.g. FIELD_REMOVED
    coordinate: str  # Type, Type.field, Type.field(arg:), @directive
    description: str


@dataclass(frozen=True, slots=True)
class Deprecation:
    coordinate: str
    reason: str
    new: bool  # not deprecated in the old schema


@dataclass(frozen=True, slots=True)
class SchemaCheck:
    changes: tuple[Change, ...]
    deprecations: tuple[Deprecation, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.severity is Severity.BREAKING)

    @property
    def dangerous(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.severity is Severity.DANGEROUS)

    @property
    def safe(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.severity is Severity.SAFE)

    @property
    def ok(self) -> bool:
        """True when no existing client operation can break."""
        return not self.breaking
