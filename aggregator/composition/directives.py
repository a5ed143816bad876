"""How applied directives of one element combine across subgraphs.

Only directives the supergraph carries are kept: @inaccessible, @tag, the
authorization trio, @cost/@listSize, @deprecated, @specifiedBy and the
custom directives a subgraph asked to keep with @composeDirective.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import product

from graphql.language import (
    BooleanValueNode,
    IntValueNode,
    ListValueNode,
    StringValueNode,
    ValueNode,
    print_ast,
)

from aggregator.composition.model import AppliedDirective

FLAGS = ("inaccessible", "authenticated")
SCOPED = ("requiresScopes", "policy")
SCOPED_ARG = {"requiresScopes": "scopes", "policy": "policies"}
FIRST_WINS = ("deprecated", "specifiedBy")


def _key(directive: AppliedDirective) -> str:
    args = ",".join(f"{k}:{print_ast(v)}" for k, v in sorted(directive.args.items()))
    return f"{directive.name}({args})"


def _nested_strings(value: ValueNode | None) -> list[list[str]]:
    if not isinstance(value, ListValueNode):
        return []
    result: list[list[str]] = []
    for inner in value.values:
        if isinstance(inner, ListValueNode):
            result.append([v.value for v in inner.values if isinstance(v, StringValueNode)])
    return result


def _as_value(groups: Iterable[Sequence[str]]) -> ListValueNode:
    return ListValueNode(
        values=tuple(
            ListValueNode(values=tuple(StringValueNode(value=s) for s in group)) for group in groups
        )
    )


def _conjunction(requirements: list[list[list[str]]]) -> list[list[str]]:
    """AND of several OR-of-ANDs requirements, kept in the same OR-of-ANDs form."""
    combined: list[list[str]] = []
    for choice in product(*requirements):
        merged: list[str] = []
        for group in choice:
            merged.extend(s for s in group if s not in merged)
        if merged not in combined:
            combined.append(merged)
    return combined


def merge_directives(
    per_source: Sequence[Sequence[AppliedDirective]], composed: frozenset[str]
) -> list[AppliedDirective]:
    result: list[AppliedDirective] = []
    flat = [d for directives in per_source for d in directives]
    for name in FIRST_WINS:
        found = next((d for d in flat if d.name == name), None)
        if found is not None:
            result.append(found)
    for name in FLAGS:
        if any(d.name == name for d in flat):
            result.append(AppliedDirective(name))
    for name in SCOPED:
        arg = SCOPED_ARG[name]
        requirements = [_nested_strings(d.args.get(arg)) for d in flat if d.name == name]
        unique: list[list[list[str]]] = []
        for requirement in requirements:
            if requirement not in unique:
                unique.append(requirement)
        if len(unique) == 1:
            result.append(AppliedDirective(name, {arg: _as_value(unique[0])}))
        elif unique:
            groups = [set(g) for g in _conjunction(unique)]
            # Absorption: a group that contains another group adds no alternative.
            minimal = [g for g in groups if not any(o < g for o in groups)]
            combined = sorted((sorted(g) for g in minimal), key=lambda g: (len(g), g))
            result.append(AppliedDirective(name, {arg: _as_value(combined)}))
    weights = [d.args.get("weight") for d in flat if d.name == "cost"]
    ints = [int(w.value) for w in weights if isinstance(w, IntValueNode)]
    if ints:
        result.append(AppliedDirective("cost", {"weight": IntValueNode(value=str(max(ints)))}))
    list_sizes = [d for d in flat if d.name == "listSize"]
    if len(list_sizes) == 1:
        result.append(list_sizes[0])
    elif list_sizes:
        result.append(_merge_list_sizes(list_sizes))
    seen: set[str] = set()
    for directive in flat:
        if directive.name == "tag" or directive.name in composed:
            key = _key(directive)
            if key not in seen:
                seen.add(key)
                result.append(directive)
    return result


def _merge_list_sizes(applied: list[AppliedDirective]) -> AppliedDirective:
    """Several subgraphs size one list field: assume the largest, accept any slicing."""
    args: dict[str, ValueNode] = {}
    sizes = [
        int(v.value) for d in applied if isinstance(v := d.args.get("assumedSize"), IntValueNode)
    ]
    if sizes:
        args["assumedSize"] = IntValueNode(value=str(max(sizes)))
    for name in ("slicingArguments", "sizedFields"):
        values: list[str] = []
        for d in applied:
            found = d.args.get(name)
            if isinstance(found, ListValueNode):
                values.extend(
                    v.value
                    for v in found.values
                    if isinstance(v, StringValueNode) and v.value not in values
                )
        if any(name in d.args for d in applied):
            args[name] = ListValueNode(values=tuple(StringValueNode(value=v) for v in values))
    require_one = all(
        not (
            isinstance(v := d.args.get("requireOneSlicingArgument"), BooleanValueNode)
            and not v.value
        )
        for d in applied
    )
    args["requireOneSlicingArgument"] = BooleanValueNode(value=require_one)
    return AppliedDirective("listSize", args)
