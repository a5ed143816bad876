"""Typed reads from a YAML node tree, each failure naming file, line and key path.

Generic over what the file means: the config loader builds on these so
that every section validates the same way (unknown keys with a "did you
mean", wrong types with the offending value, repeated keys).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.constructor import SafeConstructor

from aggregator.config.errors import ConfigError

T = TypeVar("T")

Fields = dict[str, tuple[yaml.Node, yaml.Node]]


class NodeReader:
    def __init__(self, file: Path | None) -> None:
        self.file = file
        self.label = file.name if file is not None else "<config>"
        self.base = file.parent if file is not None else Path.cwd()
        self.constructor = SafeConstructor()

    def error(self, node: yaml.Node, key: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.label, line=node.start_mark.line + 1, key=key)

    def mapping(self, node: yaml.Node, key: str, allowed: tuple[str, ...]) -> Fields:
        """Key -> (key node, value node); rejects unknown and repeated keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key or "(top level)", "must be a mapping of keys to values")
        out: Fields = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            where = join_key(key, str(name))
            if not isinstance(name, str) or name not in allowed:
                hint = difflib.get_close_matches(str(name), allowed, n=1)
                suggestion = (
                    f"did you mean '{hint[0]}'?"
                    if hint
                    else "expected one of: " + ", ".join(allowed)
                )
                raise self.error(key_node, where, f"unknown key ({suggestion})")
            if name in out:
                raise self.error(key_node, where, "key given twice")
            out[name] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node, key: str, kind: type[T], what: str) -> T:
        value: Any = None
        if isinstance(node, yaml.ScalarNode):
            value = self.constructor.construct_object(node, deep=True)
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            shown = node.value if isinstance(node, yaml.ScalarNode) else f"a {node_kind(node)}"
            raise self.error(node, key, f"must be {what}, got {shown!r}")
        return value  # type: ignore[no-any-return]

    def string(self, node: yaml.Node, key: str) -> str:
        value = self.scalar(node, key, str, "a string")
        if not value.strip():
            raise self.error(node, key, "must not be empty")
        return value

    def positive(self, node: yaml.Node, key: str) -> float:
        value = self.scalar(node, key, float, "a number")
        if value <= 0:
            raise self.error(node, key, f"must be greater than 0, got {value:g}")
        return value

    def non_negative(self, node: yaml.Node, key: str) -> float:
        value = self.scalar(node, key, float, "a number")
        if value < 0:
            raise self.error(node, key, f"must be 0 or more, got {value:g}")
        return value

    def path(self, node: yaml.Node, key: str, *, must_exist: bool = True) -> Path:
        raw = self.string(node, key)
        resolved = (self.base / Path(raw).expanduser()).resolve()
        if must_exist and not resolved.is_file():
            raise self.error(node, key, f"file not found: {resolved}")
        return resolved

    def items(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, f"must be a list, got a {node_kind(node)}")
        return list(node.value)

    def optional(self, fields: Fields, name: str, read: Callable[[yaml.Node], T], default: T) -> T:
        if name not in fields:
            return default
        return read(fields[name][1])

    def mapping_any(self, node: yaml.Node, key: str) -> Fields:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key, f"must be a mapping, got a {node_kind(node)}")
        out: Fields = {}
        for key_node, value_node in node.value:
            name = self.scalar(key_node, key, str, "a string key")
            if name in out:
                raise self.error(key_node, f"{key}.{name}", "key given twice")
            out[name] = (key_node, value_node)
        return out

    def url(self, node: yaml.Node, key: str) -> str:
        url = self.string(node, key)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise self.error(node, key, f"URL scheme must be http or https, got '{url}'")
        if not parts.hostname:
            raise self.error(node, key, f"URL has no host: '{url}'")
        return url

    def urls(self, node: yaml.Node, key: str) -> dict[str, str]:
        return {
            name: self.url(value, f"{key}.{name}")
            for name, (_, value) in self.mapping_any(node, key).items()
        }


def join_key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "value"
