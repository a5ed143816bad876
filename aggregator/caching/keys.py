"""Entry keys, tags and the stored value format.

A key names everything an entry depends on::

    {prefix}:{version}:e:{subgraph}:{type}:{digest}    one entity
    {prefix}:{version}:r:{subgraph}:{type}:{digest}    one root fetch

``version`` is the cache format version and a hash of the supergraph, so a
schema change never reads entries of an older shape. ``digest`` covers the
selection (or operation text), the variables it uses, the representation
(entity) and the partition token; subjects, scopes and agencies never appear
in clear. Tags name groups to purge together: ``s:SUBGRAPH``, ``t:TYPE``,
``k:TYPE:KEYDIGEST`` (one entity by its @key), ``c:TAG`` (``@cacheTag``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from graphql import parse
from graphql.language import FieldNode, OperationDefinitionNode, SelectionSetNode

__all__ = [
    "FORMAT_VERSION",
    "KeyFields",
    "decode_entry",
    "encode_entry",
    "entity_key_tags",
    "key_digest",
    "parse_key_fields",
    "schema_version",
    "tag_for_cache_tag",
    "tag_for_key",
    "tag_for_subgraph",
    "tag_for_type",
]

# bump when the stored value format or key layout changes
FORMAT_VERSION = 1

# a parsed @key field set: (field name, nested field set or None)
KeyFields = tuple[tuple[str, "KeyFields | None"], ...]


def schema_version(supergraph_sdl: str) -> str:
    digest = hashlib.sha256(supergraph_sdl.encode()).hexdigest()[:16]
    return f"v{FORMAT_VERSION}.{digest}"


def key_digest(*parts: bytes | str) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(4, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def tag_for_subgraph(name: str) -> str:
    return f"s:{name}"


def tag_for_type(name: str) -> str:
    return f"t:{name}"


def tag_for_cache_tag(name: str) -> str:
    return f"c:{name}"


def _normalised(value: Any) -> Any:
    """Key values as text: clients write ``{"id": 1}`` for an ID the subgraph returns as "1"."""
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def tag_for_key(type_name: str, key: Mapping[str, Any]) -> str:
    """The tag of one entity; ``key`` holds exactly the fields of one of its @key sets."""
    canonical = orjson.dumps(_normalised(dict(key)), option=orjson.OPT_SORT_KEYS)
    return f"k:{type_name}:{key_digest(canonical)}"


def _fields(selection_set: SelectionSetNode) -> KeyFields:
    out: list[tuple[str, KeyFields | None]] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            sub = _fields(selection.selection_set) if selection.selection_set else None
            out.append((selection.name.value, sub))
    return tuple(out)


def parse_key_fields(field_set: str) -> KeyFields:
    document = parse("{" + field_set + "}", no_location=True)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return _fields(operation.selection_set)


def _extract(source: Any, fields: KeyFields) -> dict[str, Any] | None:
    if not isinstance(source, dict):
        return None
    out: dict[str, Any] = {}
    for name, sub in fields:
        if name not in source:
            return None
        value = source[name]
        if sub is not None:
            value = _extract(value, sub)
            if value is None:
                return None
        elif value is None or isinstance(value, (dict, list)):
            return None
        out[name] = value
    return out


def entity_key_tags(
    type_name: str, sources: Iterable[Mapping[str, Any]], key_sets: Iterable[KeyFields]
) -> list[str]:
    """``k:`` tags for every @key set whose fields the entity's known data holds."""
    merged: dict[str, Any] = {}
    for source in sources:
        merged.update(source)
    tags = []
    for fields in key_sets:
        key = _extract(merged, fields)
        if key is not None:
            tags.append(tag_for_key(type_name, key))
    return tags


def encode_entry(data: Any, max_age: float, stored_at: float | None = None) -> bytes:
    """The stored value: when it was stored, for how long it is fresh, and the data."""
    return orjson.dumps([stored_at if stored_at is not None else time.time(), max_age, data])


def decode_entry(raw: bytes, now: float | None = None) -> tuple[Any, float] | None:
    """(data, seconds of freshness left), or None for an expired or unreadable entry."""
    try:
        stored_at, max_age, data = orjson.loads(raw)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None
    remaining = float(max_age) - ((now if now is not None else time.time()) - float(stored_at))
    if remaining <= 0:
        return None
    return data, remaining
