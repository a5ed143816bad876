"""Printers for the planner's intermediate stages (``aggregator plan --stages``).

Plans print themselves (plan.py); these print what comes before: the normalised
selection tree, and fetch groups with their dependencies and representations.
"""

from __future__ import annotations

from collections.abc import Sequence

from aggregator.planning.fetch_groups import Group, RequireBuilder
from aggregator.planning.normalize import NField, NSelection
from aggregator.planning.selection import args_text

__all__ = ["describe_groups", "describe_selections"]


def describe_selections(selections: Sequence[NSelection], indent: int = 0) -> str:
    pad = "  " * indent
    lines: list[str] = []
    for selection in selections:
        if isinstance(selection, NField):
            head = selection.name + args_text(selection.arguments)
            if selection.response_key != selection.name:
                head = f"{selection.response_key}: {head}"
            lines.append(pad + head)
            if selection.selections is not None:
                lines.append(describe_selections(selection.selections, indent + 1) or pad + "  {}")
        else:
            lines.append(f"{pad}... on {selection.type_condition}")
            lines.append(describe_selections(selection.selections, indent + 1) or pad + "  {}")
    return "\n".join(line for line in lines if line)


def _requires(builder: RequireBuilder) -> str:
    parts = []
    for name, (key, nested) in builder.fields.items():
        head = name if key == name else f"{key}: {name}"
        parts.append(head + (" " + _requires(nested) if nested is not None else ""))
    return "{ " + " ".join(parts) + " }"


def describe_groups(groups: Sequence[Group]) -> str:
    lines: list[str] = []
    for group in groups:
        where = "." + ".".join(group.path) if group.path else "root"
        deps = ", ".join(f"#{d.id}" for d in sorted(group.deps, key=lambda d: d.id))
        head = f"#{group.id} {group.subgraph} at {where} (stage {group.stage})"
        lines.append(head + (f" after {deps}" if deps else ""))
        for type_name, builder in group.requires.items():
            sent = group.rep_typename.get(type_name, type_name)
            alias = f" as {sent}" if sent != type_name else ""
            lines.append(f"  represents {type_name}{alias} {_requires(builder)}")
        lines.append("  " + group.selection.text())
    return "\n".join(lines)
