"""The ``limits``, ``demand_control`` and ``memory`` sections of ``aggregator.yaml``.

Every value is checked where it is read, with the file, line and key in the error
(``aggregator.yaml:14: limits.max_depth: must be an integer > 0 or null``). ``null``
turns an operation limit off; an omitted key keeps the safe default.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from aggregator.config.nodes import Fields, NodeReader
from aggregator.security.cost import CostPolicy
from aggregator.security.limits import OperationLimits

__all__ = ["MemoryBudgets", "read_demand_control", "read_limits", "read_memory"]

MiB = 1024 * 1024

_LIMIT_KEYS = (
    "warn_only",
    "max_depth",
    "max_aliases",
    "max_root_fields",
    "max_fields",
    "max_directives_per_field",
    "max_tokens",
)
_COST_KEYS = ("max_cost", "list_size", "expose")
_CACHE_KEYS = (
    "documents_bytes",
    "document_max_bytes",
    "persisted_queries_bytes",
    "persisted_query_max_bytes",
)


@dataclass(frozen=True, slots=True)
class MemoryBudgets:
    """Byte budgets for what the gateway keeps per process."""

    # parsed and validated documents with their plans
    documents_bytes: int = 64 * MiB
    document_max_bytes: int = 8 * MiB
    # automatic persisted queries kept in process (without redis_url)
    persisted_queries_bytes: int = 16 * MiB
    persisted_query_max_bytes: int = 256 * 1024


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def positive_int(
    reader: NodeReader, node: yaml.Node, key: str, *, nullable: bool = False
) -> int | None:
    if nullable and _is_null(node):
        return None
    what = "an integer > 0" + (" or null" if nullable else "")
    value = reader.scalar(node, key, int, what)
    if value <= 0:
        raise reader.error(node, key, f"must be {what}, got {value}")
    return value


def _int(reader: NodeReader, fields: Fields, name: str, key: str, default: int) -> int:
    if name not in fields:
        return default
    value = positive_int(reader, fields[name][1], f"{key}.{name}")
    assert value is not None
    return value


def _flag(reader: NodeReader, fields: Fields, name: str, key: str, default: bool) -> bool:
    if name not in fields:
        return default
    return reader.scalar(fields[name][1], f"{key}.{name}", bool, "true or false")


def read_limits(reader: NodeReader, node: yaml.Node) -> OperationLimits:
    f = reader.mapping(node, "limits", _LIMIT_KEYS)
    d = OperationLimits()
    values: dict[str, int | None] = {}
    for name in _LIMIT_KEYS[1:]:
        if name in f:
            values[name] = positive_int(reader, f[name][1], f"limits.{name}", nullable=True)
        else:
            values[name] = getattr(d, name)
    return OperationLimits(warn_only=_flag(reader, f, "warn_only", "limits", d.warn_only), **values)


def read_demand_control(reader: NodeReader, node: yaml.Node) -> CostPolicy:
    f = reader.mapping(node, "demand_control", _COST_KEYS)
    d = CostPolicy()
    max_cost = d.max_cost
    if "max_cost" in f:
        max_cost = positive_int(reader, f["max_cost"][1], "demand_control.max_cost", nullable=True)
    return CostPolicy(
        max_cost=max_cost,
        list_size=_int(reader, f, "list_size", "demand_control", d.list_size),
        expose=_flag(reader, f, "expose", "demand_control", d.expose),
    )


def read_memory(reader: NodeReader, node: yaml.Node) -> MemoryBudgets:
    f = reader.mapping(node, "memory", _CACHE_KEYS)
    d = MemoryBudgets()
    config = MemoryBudgets(
        **{name: _int(reader, f, name, "memory", getattr(d, name)) for name in _CACHE_KEYS}
    )
    for total, entry in (
        ("documents_bytes", "document_max_bytes"),
        ("persisted_queries_bytes", "persisted_query_max_bytes"),
    ):
        if getattr(config, entry) > getattr(config, total):
            where = f[entry][1] if entry in f else f[total][1] if total in f else node
            raise reader.error(
                where,
                f"memory.{entry}",
                f"must not be larger than memory.{total} ({getattr(config, total)})",
            )
    return config
