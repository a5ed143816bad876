"""The ``audit:`` section of ``aggregator.yaml``: where and how the disclosure log is written.

Kept in its own module (model and reader together) so the security package can
take these settings without the loader, and the loader only needs one line to
read the section. Paths are resolved here, but placeholders (``{pid}``,
``{host}``) are expanded only when a process opens the log, because each
uvicorn worker is its own process and must get its own file.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from aggregator.config.nodes import NodeReader

__all__ = ["AUDIT_PATH_PLACEHOLDERS", "AuditConfig", "FsyncPolicy", "read_audit"]

AUDIT_PATH_PLACEHOLDERS = ("pid", "host")

_KEYS = (
    "enabled",
    "path",
    "fsync",
    "fsync_interval_s",
    "queue_size",
    "queue_timeout_s",
    "rotate_bytes",
    "anchor_interval_s",
)
_MIN_ROTATE_BYTES = 4096


class FsyncPolicy(StrEnum):
    """When written records are forced to stable storage."""

    ALWAYS = "always"  # before record() returns (grouped: one fsync per batch)
    INTERVAL = "interval"  # at most fsync_interval_s after the write


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Disclosure-log settings; ``path`` is absolute and may hold ``{pid}``/``{host}``."""

    enabled: bool = False
    path: Path | None = None
    fsync: FsyncPolicy = FsyncPolicy.ALWAYS
    fsync_interval_s: float = 1.0
    # records accepted but not yet written; a request waits for a slot at most
    # queue_timeout_s, then fails (a release is never left unrecorded)
    queue_size: int = 1024
    queue_timeout_s: float = 5.0
    # start a new file (whose header names the old one's last hash) past this size
    rotate_bytes: int | None = None
    # how often the head (seq, hash) is written to the application log as an anchor
    anchor_interval_s: float = 60.0


def read_audit(reader: NodeReader, node: yaml.Node) -> AuditConfig:
    """Validate the ``audit`` mapping; a present section is enabled unless it says otherwise."""
    f = reader.mapping(node, "audit", _KEYS)
    d = AuditConfig()
    enabled = reader.optional(
        f, "enabled", lambda n: reader.scalar(n, "audit.enabled", bool, "true or false"), True
    )
    path = reader.optional(f, "path", _path(reader), None)
    if enabled and path is None:
        raise reader.error(node, "audit.path", "required when the disclosure log is enabled")
    policy_text = reader.optional(
        f, "fsync", lambda n: reader.string(n, "audit.fsync"), d.fsync.value
    )
    try:
        policy = FsyncPolicy(policy_text)
    except ValueError:
        choices = ", ".join(p.value for p in FsyncPolicy)
        raise reader.error(
            f["fsync"][1], "audit.fsync", f"must be one of {choices}, got '{policy_text}'"
        ) from None
    if "fsync_interval_s" in f and policy is not FsyncPolicy.INTERVAL:
        raise reader.error(
            f["fsync_interval_s"][0], "audit.fsync_interval_s", "only used with 'fsync: interval'"
        )
    rotate = reader.optional(
        f, "rotate_bytes", _integer(reader, "audit.rotate_bytes", _MIN_ROTATE_BYTES), None
    )
    return AuditConfig(
        enabled=enabled,
        path=path,
        fsync=policy,
        fsync_interval_s=reader.optional(
            f,
            "fsync_interval_s",
            lambda n: reader.positive(n, "audit.fsync_interval_s"),
            d.fsync_interval_s,
        ),
        queue_size=reader.optional(
            f, "queue_size", _integer(reader, "audit.queue_size", 1), d.queue_size
        ),
        queue_timeout_s=reader.optional(
            f,
            "queue_timeout_s",
            lambda n: reader.positive(n, "audit.queue_timeout_s"),
            d.queue_timeout_s,
        ),
        rotate_bytes=rotate,
        anchor_interval_s=reader.optional(
            f,
            "anchor_interval_s",
            lambda n: reader.positive(n, "audit.anchor_interval_s"),
            d.anchor_interval_s,
        ),
    )


def _path(reader: NodeReader) -> Callable[[yaml.Node], Path]:
    def read(node: yaml.Node) -> Path:
        raw = reader.string(node, "audit.path")
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(raw) if name is not None]
        except ValueError as exc:
            raise reader.error(node, "audit.path", f"bad placeholder: {exc}") from None
        for name in fields:
            if name not in AUDIT_PATH_PLACEHOLDERS:
                allowed = ", ".join("{" + p + "}" for p in AUDIT_PATH_PLACEHOLDERS)
                raise reader.error(
                    node, "audit.path", f"unknown placeholder {{{name}}} (allowed: {allowed})"
                )
        if raw.endswith(("/", "\\")) or re.search(r"(^|/)\.{0,2}$", raw):
            raise reader.error(node, "audit.path", f"must name a file, got '{raw}'")
        return (reader.base / Path(raw).expanduser()).resolve()

    return read


def _integer(reader: NodeReader, key: str, minimum: int) -> Callable[[yaml.Node], int]:
    def read(node: yaml.Node) -> int:
        value = reader.scalar(node, key, int, "an integer")
        if value < minimum:
            raise reader.error(node, key, f"must be at least {minimum}, got {value}")
        return value

    return read
