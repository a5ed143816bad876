"""Find entity objects at a plan path, turn them into representations, merge results.

These run once per entity fetch on every request, so they are written as
plain loops over dicts and lists with no per-field indirection.
"""

from __future__ import annotations

import operator
from typing import Any

import orjson

from aggregator.planning.plan import RequiredField, RequiredType

Path = tuple[str | int, ...]


def objects_at(data: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every object at ``path`` ('@' walks into lists), in response order.

    Response paths are not built here: only errors need them, and
    :func:`paths_at` recomputes them for the rare fetch that has errors.
    """
    current: list[Any] = [data]
    steps = len(path)
    at = 0
    while at < steps:
        key = path[at]
        following: list[Any] = []
        if key == "@":
            extend = following.extend
            for value in current:
                if type(value) is list:
                    extend(value)  # nulls are dropped by the next step
        elif at + 1 < steps and path[at + 1] == "@":
            # a list field: its items in one step (the common "field.@" pair)
            extend = following.extend
            for value in current:
                if type(value) is dict:
                    items = value.get(key)
                    if type(items) is list:
                        extend(items)
            at += 1
        else:
            following = [
                child
                for value in current
                if type(value) is dict and (child := value.get(key)) is not None
            ]
        current = following
        at += 1
    return [value for value in current if type(value) is dict]


def paths_at(data: Any, path: tuple[str, ...]) -> list[tuple[dict[str, Any], Path]]:
    """Every object at ``path`` with its response path (for error paths; slower)."""
    current: list[tuple[Any, Path]] = [(data, ())]
    for key in path:
        following: list[tuple[Any, Path]] = []
        if key == "@":
            for value, where in current:
                if isinstance(value, list):
                    following.extend(
                        (item, (*where, index))
                        for index, item in enumerate(value)
                        if item is not None
                    )
        else:
            for value, where in current:
                if isinstance(value, dict):
                    child = value.get(key)
                    if child is not None:
                        following.append((child, (*where, key)))
        current = following
    return [(value, where) for value, where in current if isinstance(value, dict)]


_MISSING = object()


def _copy_fields(
    source: dict[str, Any], fields: tuple[RequiredField, ...], nested: bool = False
) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for f in fields:
        value = source.get(f.response_key, _MISSING)
        if value is _MISSING:
            if nested:
                # nested required fields are listed for every possible type of an abstract
                # value; an object carries only those of its own type
                continue
            return None
        if f.sub is not None and value is not None:
            value = _copy_value(value, f.sub)
            if value is _MISSING:
                return None
        out[f.name] = value
    return out


def _copy_value(value: Any, fields: tuple[RequiredField, ...]) -> Any:
    if isinstance(value, list):
        items = []
        for item in value:
            copied = _copy_value(item, fields) if item is not None else None
            if copied is _MISSING:
                return _MISSING
            items.append(copied)
        return items
    if isinstance(value, dict):
        copied_obj = _copy_fields(value, fields, nested=True)
        if copied_obj is None:
            return _MISSING
        if "__typename" in value:
            copied_obj = {"__typename": value["__typename"], **copied_obj}
        return copied_obj
    return value


def representation(obj: dict[str, Any], required: RequiredType) -> dict[str, Any] | None:
    """The representation for one object, or None when a key or required field is missing."""
    fields = _copy_fields(obj, required.fields)
    if fields is None:
        return None
    fields.pop("__typename", None)
    return {"__typename": required.representation_typename, **fields}


class RepresentationKey:
    """Tells apart the objects of one entity type that need different representations.

    Objects at a plan path repeat (the same product under many reviews); building a
    representation and serialising it for each one is most of an entity fetch's
    cost, so objects are grouped by the values of their required fields first and
    a representation is built once per group. Required fields with sub-selections
    fall back to the serialised representation as the key.
    """

    __slots__ = ("flat", "read", "required")

    def __init__(self, required: RequiredType) -> None:
        self.required = required
        keys = [f.response_key for f in required.fields]
        self.flat = bool(keys) and all(f.sub is None for f in required.fields)
        # the values of the required fields, read in C: one value for one field, else a
        # tuple; KeyError when one is missing (that object gets no representation)
        self.read = operator.itemgetter(*keys) if keys else None

    def of(self, obj: dict[str, Any]) -> Any:
        """A hashable key, equal for objects of this type with equal representations; None
        when one is missing a required field (no representation)."""
        if self.read is not None and self.flat:
            try:
                key = self.read(obj)
                hash(key)
            except KeyError:
                return None
            except TypeError:  # a list or object value
                pass
            else:
                return key
        rep = representation(obj, self.required)
        return None if rep is None else orjson.dumps(rep)


def group_by_representation(
    objects: list[dict[str, Any]], by_type: dict[str, RepresentationKey]
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The distinct representations of ``objects`` (in first-seen order) and, for each,
    the objects it stands for. Objects of other types or missing a key field are left out."""
    if len(by_type) == 1:
        ((type_name, only),) = by_type.items()
        if only.flat:
            try:
                return _group_flat(objects, type_name, only)
            except TypeError:  # a list or object among the key values
                pass
    representations: list[dict[str, Any]] = []
    targets: list[list[dict[str, Any]]] = []
    # one index per entity type: equal key values of two types are different entities
    index_of: dict[RepresentationKey, dict[Any, int]] = {}
    for obj in objects:
        keyer = by_type.get(obj.get("__typename"))  # type: ignore[arg-type]
        if keyer is None:
            continue
        key = keyer.of(obj)
        if key is None:
            continue
        seen = index_of.get(keyer)
        if seen is None:
            seen = index_of[keyer] = {}
        index = seen.get(key)
        if index is not None:
            targets[index].append(obj)
            continue
        rep = representation(obj, keyer.required)
        if rep is None:
            continue
        seen[key] = len(representations)
        representations.append(rep)
        targets.append([obj])
    return representations, targets


def _group_flat(
    objects: list[dict[str, Any]], type_name: str, keyer: RepresentationKey
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """:func:`group_by_representation` for the usual entity fetch: one type whose required
    fields are all scalars (raises TypeError when a value is a list or object after all)."""
    representations: list[dict[str, Any]] = []
    targets: list[list[dict[str, Any]]] = []
    index_of: dict[Any, int] = {}
    read = keyer.read
    assert read is not None
    for obj in objects:
        if obj.get("__typename") != type_name:
            continue
        try:
            key = read(obj)
        except KeyError:
            continue
        index = index_of.get(key)
        if index is not None:
            targets[index].append(obj)
            continue
        rep = representation(obj, keyer.required)
        if rep is None:
            continue
        index_of[key] = len(representations)
        representations.append(rep)
        targets.append([obj])
    return representations, targets


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    if target.keys().isdisjoint(source.keys()):
        # the usual case: a fetch adds fields the object does not have yet
        target.update(source)
        return
    for key, value in source.items():
        existing = target.get(key, _MISSING)
        if existing is _MISSING or existing is None:
            target[key] = value
        elif isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list):
            _merge_lists(existing, value)
        else:
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any]) -> None:
    for index, value in enumerate(source):
        if index >= len(target):
            target.append(value)
            continue
        existing = target[index]
        if isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list):
            _merge_lists(existing, value)
        elif existing is None:
            target[index] = value


def restore_keys(value: Any, renames: dict[str, Any]) -> None:
    """Put back the client's response keys the planner aliased in a subgraph operation."""
    if isinstance(value, list):
        for item in value:
            restore_keys(item, renames)
        return
    if not isinstance(value, dict):
        return
    fragments = renames.get("...")
    if fragments is not None:
        own = fragments.get(value.get("__typename"))
        if own is not None:
            restore_keys(value, own)
    for key, entry in renames.items():
        if key == "..." or key not in value:
            continue
        original, sub = entry
        child = value.pop(key) if original != key else value[key]
        if sub is not None:
            restore_keys(child, sub)
        value[original] = child
