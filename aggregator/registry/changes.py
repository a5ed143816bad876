"""What a config edit changes for a running gateway, in words for the log.

Hot reload must apply a changed timeout, header, TLS file, response limit or error
policy even when every SDL stays the same, and the operator must see what was
applied. Header values are never logged (they hold credentials), only which
headers changed. The ``server`` section is read at start-up: a change there is
reported as needing a restart.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from aggregator.config import GatewayConfig, SubgraphConfig

__all__ = ["describe_changes", "tls_files"]

# gateway-wide settings a new gateway picks up
_GATEWAY_FIELDS = ("mode", "limits", "demand_control", "memory", "subgraph_defaults")
# settings a rebuild of the supergraph (not of the clients) takes care of
_SDL_FIELDS = {"sdl_source", "sdl_file", "optional"}


def _subgraph_changes(old: SubgraphConfig, new: SubgraphConfig) -> list[str]:
    out: list[str] = []
    for item in fields(SubgraphConfig):
        name = item.name
        if name in _SDL_FIELDS:
            continue
        before: Any = getattr(old, name)
        after: Any = getattr(new, name)
        if before == after:
            continue
        if name == "headers":
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            out.append(f"subgraph {new.name}: headers {', '.join(changed)} changed")
        else:
            out.append(f"subgraph {new.name}: {name} {before!r} -> {after!r}")
    return out


def describe_changes(old: GatewayConfig, new: GatewayConfig) -> list[str]:
    """One line per change that a new gateway applies (empty: nothing to apply)."""
    out: list[str] = []
    before = {s.name: s for s in old.subgraphs}
    after = {s.name: s for s in new.subgraphs}
    for name in sorted(set(before) - set(after)):
        out.append(f"subgraph {name}: removed")
    for name in sorted(set(after) - set(before)):
        out.append(f"subgraph {name}: added")
    for name in sorted(set(before) & set(after)):
        out.extend(_subgraph_changes(before[name], after[name]))
    for name in _GATEWAY_FIELDS:
        if getattr(old, name) != getattr(new, name):
            out.append(f"{name}: {getattr(old, name)!r} -> {getattr(new, name)!r}")
    return out


def restart_needed(old: GatewayConfig, new: GatewayConfig) -> list[str]:
    """Sections read at start-up only that the edit changed."""
    names = ("server", "example_operations", "trusted_documents", "rate_limits")
    return [name for name in names if getattr(old, name) != getattr(new, name)]


def tls_files(config: GatewayConfig) -> set[Path]:
    files: set[Path] = set()
    for sub in config.subgraphs:
        if sub.tls is not None:
            files.update(p for p in (sub.tls.ca_file, sub.tls.cert_file, sub.tls.key_file) if p)
    return files
