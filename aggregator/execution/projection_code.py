"""Projection compiled to one Python function per (selection set, runtime type).

The general completion in :mod:`aggregator.execution.projection` walks an entry
list per object and dispatches on each field's kind and type, several calls and
type checks per value. Most response objects need far less: their leaves copied
in the client's order and their object (or list-of-object) fields completed. For
such entry lists this module writes that as straight-line Python once per
planned operation: one dict display for every key, then only the non-null
checks and composite fields, each calling the compiled function of its own
selection set. Anything else (abstract types, non-null composites, enums, a kind
of entry it does not know) goes through the general completion, so the result,
the errors and their order stay those of :class:`~.projection._Completion`.

The generated source holds only identifiers it makes up and string literals
written with ``repr`` (GraphQL names); every other value (types, selections,
functions) is passed in the function's namespace, never printed into code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from graphql import GraphQLList, GraphQLObjectType

from aggregator.execution.projection import (
    _INVALID,
    GENERIC,
    LEAF,
    NON_NULL_LEAF,
    TYPENAME,
    Entry,
)
from aggregator.planning.normalize import NSelection

if TYPE_CHECKING:
    from aggregator.execution.projection import Projector

# obj, response path, the completion (errors, general completion) -> the client's object
Compiled = Callable[[dict[str, Any], list[Any], Any], Any]

_KNOWN = frozenset({TYPENAME, LEAF, NON_NULL_LEAF, GENERIC})


def compile_object(
    projector: Projector, selections: Sequence[NSelection], type_name: str
) -> Compiled | None:
    """The compiled projection of ``selections`` on ``type_name``, or None when its entries
    need the general completion (a kind of entry this compiler does not know)."""
    entries = projector.entries(selections, type_name)
    if any(entry[2] not in _KNOWN for entry in entries) or not projector.spend(len(entries)):
        return None
    namespace: dict[str, Any] = {"INVALID": _INVALID}
    reads: list[str] = []  # non-null leaves, read once before the display
    display: list[str] = []  # every key in the client's order (composites filled in later)
    steps: list[str] = []  # non-null checks and composite fields, in entry order
    for index, entry in enumerate(entries):
        key, _name, kind, _field_type, _sub = entry
        if kind == TYPENAME:
            display.append(f"{key!r}: {type_name!r}")
        elif kind == LEAF:
            display.append(f"{key!r}: get({key!r})")
        elif kind == NON_NULL_LEAF:
            reads.append(f"    v{index} = get({key!r})")
            display.append(f"{key!r}: v{index}")
        else:
            display.append(f"{key!r}: None")
        steps.extend(_step(projector, index, entry, type_name, namespace))
    source = "\n".join(
        [
            "def project(obj, path, c):",
            "    get = obj.get",
            *reads,
            "    r = {" + ", ".join(display) + "}",
            *steps,
            "    return r",
        ]
    )
    exec(compile(source, f"<projection of {type_name}>", "exec"), namespace)
    compiled: Compiled = namespace["project"]
    return compiled


def _step(
    projector: Projector,
    index: int,
    entry: Entry,
    parent: str,
    namespace: dict[str, Any],
) -> list[str]:
    """The statements completing one entry after the dict display (none for plain leaves)."""
    key, name, kind, field_type, sub = entry
    k = repr(key)
    if kind == NON_NULL_LEAF:
        return [
            f"    if v{index} is None:",
            f"        path.append({k})",
            f"        c.null_error({parent!r}, {name!r}, path)",
            "        path.pop()",
            "        return INVALID",
        ]
    if kind != GENERIC:
        return []
    if sub is not None and isinstance(field_type, GraphQLObjectType):
        namespace[f"f{index}"] = _child(projector, sub, field_type.name)
        return [
            f"    v = get({k})",
            "    if v is not None:",
            "        if isinstance(v, dict):",
            f"            path.append({k})",
            f"            v = f{index}(v, path, c)",
            "            path.pop()",
            "            if v is INVALID:",
            "                v = None",
            "        else:",
            "            v = None",
            f"        r[{k}] = v",
        ]
    if (
        sub is not None
        and isinstance(field_type, GraphQLList)
        and isinstance(field_type.of_type, GraphQLObjectType)
    ):
        namespace[f"f{index}"] = _child(projector, sub, field_type.of_type.name)
        return [
            f"    v = get({k})",
            "    if v is not None:",
            "        if isinstance(v, list):",
            f"            path.append({k})",
            "            items = []",
            "            for n, item in enumerate(v):",
            "                if isinstance(item, dict):",
            "                    path.append(n)",
            f"                    item = f{index}(item, path, c)",
            "                    path.pop()",
            "                    items.append(None if item is INVALID else item)",
            "                else:",
            "                    items.append(None)",
            "            path.pop()",
            "            v = items",
            "        else:",
            "            v = None",
            f"        r[{k}] = v",
        ]
    namespace[f"t{index}"] = field_type
    namespace[f"s{index}"] = sub
    return [
        f"    path.append({k})",
        f"    v = c.value(get({k}), t{index}, s{index}, path, {parent!r}, {name!r})",
        "    path.pop()",
        "    if v is INVALID:",
        "        return INVALID",
        f"    r[{k}] = v",
    ]


def _child(projector: Projector, sub: Sequence[NSelection], type_name: str) -> Compiled:
    compiled = projector.compiled(sub, type_name)
    if compiled is not None:
        return compiled

    def general(obj: dict[str, Any], path: list[Any], completion: Any) -> Any:
        return completion.object(obj, sub, type_name, path)

    return general
