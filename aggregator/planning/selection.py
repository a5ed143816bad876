"""Mutable selection sets the planner fills in, and how they print as subgraph operations.

Every field or fragment added gets an order tag from one counter, so that when an
optimisation pass merges two fetches (:func:`merge_into`) the merged selection lists
its items in the order the walk added them, exactly as if they had been added to one
fetch from the start.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql.language import ArgumentNode, DirectiveNode, VariableNode, print_ast

_ORDER = itertools.count()


def args_text(arguments: tuple[ArgumentNode, ...]) -> str:
    """``(a: 1, b: $v)``: how arguments print, and what makes two uses of a field equal."""
    if not arguments:
        return ""
    return "(" + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in arguments) + ")"


def _directives_text(directives: tuple[DirectiveNode, ...]) -> str:
    return "".join(" " + print_ast(d) for d in directives)


@dataclass(slots=True)
class FieldSel:
    name: str
    response_key: str
    arguments: tuple[ArgumentNode, ...] = ()
    directives: tuple[DirectiveNode, ...] = ()
    sub: SelSet | None = None
    args_text: str = ""
    # the field's type in the subgraph: same-named fields of sibling fragments must agree
    shape: str = ""
    # the client's response key when the subgraph is asked under another one
    original_key: str | None = None
    order: int = field(default_factory=lambda: next(_ORDER))

    def head(self) -> str:
        alias = f"{self.response_key}: " if self.response_key != self.name else ""
        return alias + self.name + self.args_text + _directives_text(self.directives)


@dataclass(slots=True)
class FragmentSel:
    type_condition: str
    sub: SelSet
    order: int = field(default_factory=lambda: next(_ORDER))


@dataclass(slots=True)
class SelSet:
    # insertion-ordered: response key -> field, or "... on T" -> fragment
    items: dict[str, FieldSel | FragmentSel] = field(default_factory=dict)

    def add_field(
        self,
        name: str,
        response_key: str,
        arguments: tuple[ArgumentNode, ...] = (),
        directives: tuple[DirectiveNode, ...] = (),
        composite: bool = False,
    ) -> FieldSel:
        existing = self.items.get(response_key)
        if isinstance(existing, FieldSel):
            if composite and existing.sub is None:
                existing.sub = SelSet()
            return existing
        created = FieldSel(
            name,
            response_key,
            arguments,
            directives,
            SelSet() if composite else None,
            args_text(arguments),
        )
        self.items[response_key] = created
        return created

    def fragment(self, type_condition: str) -> SelSet:
        key = "... on " + type_condition
        existing = self.items.get(key)
        if isinstance(existing, FragmentSel):
            return existing.sub
        created = FragmentSel(type_condition, SelSet())
        self.items[key] = created
        return created.sub

    def alias_conflicting_fragments(self) -> None:
        """Sibling fragments may not ask one response name with two shapes (``String!`` in
        one type, ``String`` in another): rename the later ones; the executor maps them back."""
        first_shape: dict[str, str] = {}
        count = 0
        for item in self.items.values():
            if not isinstance(item, FragmentSel):
                continue
            for key, child in list(item.sub.items.items()):
                if not isinstance(child, FieldSel) or not child.shape:
                    continue
                seen = first_shape.setdefault(key, child.shape)
                if seen != child.shape and child.original_key is None:
                    alias = f"{key}__alias_{count}"
                    count += 1
                    child.original_key = key
                    child.response_key = alias
                    item.sub.items = {
                        (alias if k == key else k): v for k, v in item.sub.items.items()
                    }

    def renames(self) -> dict[str, Any] | None:
        """Where the answer holds aliased keys: {key: (original, sub)} and fragments by type."""
        out: dict[str, Any] = {}
        for item in self.items.values():
            if isinstance(item, FieldSel):
                sub = item.sub.renames() if item.sub is not None else None
                if item.original_key is not None or sub is not None:
                    out[item.response_key] = (item.original_key or item.response_key, sub)
            else:
                sub = item.sub.renames()
                if sub is not None:
                    out.setdefault("...", {})[item.type_condition] = sub
        return out or None

    def __bool__(self) -> bool:
        return bool(self.items)

    def text(self) -> str:
        parts: list[str] = []
        for item in self.items.values():
            if isinstance(item, FieldSel):
                if item.sub is not None:
                    if not item.sub:
                        continue
                    parts.append(item.head() + item.sub.text())
                else:
                    parts.append(item.head())
            elif item.sub:
                parts.append(f"... on {item.type_condition}{item.sub.text()}")
        return "{" + " ".join(parts) + "}"

    def variables(self) -> Iterator[str]:
        for item in self.items.values():
            if isinstance(item, FieldSel):
                for node in (*item.arguments, *item.directives):
                    yield from _variables_in(node)
                if item.sub is not None:
                    yield from item.sub.variables()
            else:
                yield from item.sub.variables()


def merge_into(target: SelSet, other: SelSet) -> None:
    """Add ``other``'s items to ``target``: same keys merge (the earlier item stays), and
    the result is ordered by when the walk added each item."""
    for key, item in other.items.items():
        existing = target.items.get(key)
        if existing is None:
            target.items[key] = item
            continue
        existing.order = min(existing.order, item.order)
        if isinstance(existing, FieldSel) and isinstance(item, FieldSel):
            if item.sub is not None:
                if existing.sub is None:
                    existing.sub = item.sub
                else:
                    merge_into(existing.sub, item.sub)
        elif isinstance(existing, FragmentSel) and isinstance(item, FragmentSel):
            merge_into(existing.sub, item.sub)
    target.items = dict(sorted(target.items.items(), key=lambda pair: pair[1].order))


def _variables_in(node: object) -> Iterator[str]:
    if isinstance(node, VariableNode):
        yield node.name.value
        return
    if isinstance(node, tuple | list):
        for child in node:
            yield from _variables_in(child)
        return
    keys = getattr(node, "keys", None)
    if not keys:
        return
    for key in keys:
        if key == "loc":
            continue
        child = getattr(node, key, None)
        if child is not None and not isinstance(child, str | bool | int | float):
            yield from _variables_in(child)
