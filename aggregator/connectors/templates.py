"""Expressions and templates that build an HTTP call from GraphQL values.

A connector author writes ``/vehicles/{$args.plate}`` or ``owner={$this.id}``:
``$args`` is the field's arguments, ``$this`` the parent object's JSON (for an
entity lookup: the representation the gateway sent). Dotted paths walk nested
objects. Kept deliberately tiny: no functions, no arithmetic, so a template
can be checked when the schema is built and read by anyone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

__all__ = ["Expression", "Template", "TemplateError", "get_path"]

_EXPR = re.compile(r"\{(\$(?:args|this)(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}")
_BARE = re.compile(r"^\$(?:args|this)(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


class TemplateError(ValueError):
    """A template in a connector directive cannot be understood."""


def get_path(value: Any, path: tuple[str, ...]) -> Any:
    """Walk ``path`` into nested dicts; ``None`` as soon as a step is missing."""
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


@dataclass(frozen=True, slots=True)
class Expression:
    """``$args.a.b`` or ``$this.a``: where a value comes from."""

    scope: str  # "args" | "this"
    path: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Expression:
        text = text.strip()
        if not _BARE.match(text):
            raise TemplateError(f"not an expression: {text!r} (expected $args.NAME or $this.NAME)")
        scope, *path = text[1:].split(".")
        return cls(scope, tuple(path))

    def evaluate(self, args: Mapping[str, Any], this: Any) -> Any:
        return get_path(args if self.scope == "args" else this, self.path)

    def __str__(self) -> str:
        return "$" + ".".join((self.scope, *self.path))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@dataclass(frozen=True, slots=True)
class Template:
    """Literal text with ``{$...}`` holes, e.g. a URL path or a query value."""

    parts: tuple[str | Expression, ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        parts: list[str | Expression] = []
        pos = 0
        for match in _EXPR.finditer(text):
            if match.start() > pos:
                parts.append(text[pos : match.start()])
            parts.append(Expression.parse(match.group(1)))
            pos = match.end()
        if pos < len(text):
            parts.append(text[pos:])
        rest = "".join(p for p in parts if isinstance(p, str))
        if "{$" in rest:
            raise TemplateError(f"malformed expression in template {text!r}")
        return cls(tuple(parts))

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(p for p in self.parts if isinstance(p, Expression))

    def render(self, args: Mapping[str, Any], this: Any, *, url_encode: bool) -> str | None:
        """The filled-in text, or ``None`` when every hole is empty (omit the parameter)."""
        out: list[str] = []
        filled = False
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part.evaluate(args, this)
            if value is None:
                continue
            filled = True
            text = _text(value)
            out.append(quote(text, safe="") if url_encode else text)
        if self.expressions and not filled:
            return None
        return "".join(out)


def render_body(template: Any, args: Mapping[str, Any], this: Any) -> Any:
    """Fill a JSON body template: any string that is a bare expression becomes its value."""
    if isinstance(template, Expression):
        return template.evaluate(args, this)
    if isinstance(template, dict):
        return {k: render_body(v, args, this) for k, v in template.items()}
    if isinstance(template, list):
        return [render_body(v, args, this) for v in template]
    return template


def parse_body(text: str) -> Any:
    """``$args.input`` or a JSON object whose string values may be bare expressions."""
    text = text.strip()
    if text.startswith("$"):
        return Expression.parse(text)
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise TemplateError(f"body is neither an expression nor JSON: {text!r}") from error

    def convert(node: Any) -> Any:
        if isinstance(node, str) and _BARE.match(node):
            return Expression.parse(node)
        if isinstance(node, dict):
            return {k: convert(v) for k, v in node.items()}
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    return convert(raw)
