"""Human and machine renderings of a schema check, for terminals and CI logs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aggregator.schema_check.model import SchemaCheck, Severity


def format_table(check: SchemaCheck, *, show_safe: bool = False) -> str:
    """Aligned columns a reviewer can scan; breaking first, then dangerous, then deprecations."""
    lines: list[str] = []
    shown = [c for c in check.changes if show_safe or c.severity is not Severity.SAFE]
    if shown:
        lines += _table(
            ("SEVERITY", "CHANGE", "WHERE", "DESCRIPTION"),
            [(c.severity.value, c.kind, c.coordinate, c.description) for c in shown],
        )
    else:
        lines.append("No breaking or dangerous changes.")
    if check.deprecations:
        lines += ["", "Deprecated elements:"]
        lines += _table(
            ("WHERE", "STATUS", "REASON"),
            [(d.coordinate, "new" if d.new else "existing", d.reason) for d in check.deprecations],
        )
    lines += [
        "",
        f"{len(check.breaking)} breaking, {len(check.dangerous)} dangerous, "
        f"{len(check.safe)} safe changes; {len(check.deprecations)} deprecated elements.",
    ]
    return "\n".join(lines) + "\n"


def to_json(check: SchemaCheck) -> dict[str, Any]:
    return {
        "ok": check.ok,
        "changes": [
            {
                "severity": c.severity.value,
                "kind": c.kind,
                "coordinate": c.coordinate,
                "description": c.description,
            }
            for c in check.changes
        ],
        "deprecations": [
            {"coordinate": d.coordinate, "reason": d.reason, "new": d.new}
            for d in check.deprecations
        ],
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header) - 1)]

    def line(cells: Sequence[str]) -> str:
        padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
        return "  ".join([*padded, cells[-1]]).rstrip()

    return [line(header), line(["-" * len(h) for h in header]), *(line(r) for r in rows)]
