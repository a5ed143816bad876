"""The cache as one gateway sees it: its supergraph's hints, version and decisions.

Built with every gateway (hot reload builds a new one on the same store).
It owns the per-fetch analyses, decides each fetch's policy from hints,
headers and the operator's overrides, builds keys, and hands each request a
:class:`~aggregator.caching.request.RequestCache` bound to that caller's
partition.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from graphql import print_ast

from aggregator.caching.analysis import FetchAnalysis, StaticPolicy, analyse_fetch
from aggregator.caching.errors import InvalidPurge
from aggregator.caching.hints import CacheHints, lossy_hints, read_hints
from aggregator.caching.keys import (
    KeyFields,
    entity_key_tags,
    key_digest,
    parse_key_fields,
    schema_version,
    tag_for_cache_tag,
    tag_for_key,
    tag_for_subgraph,
    tag_for_type,
)
from aggregator.caching.partition import CachePartition
from aggregator.caching.policy import (
    CachePolicy,
    HeaderPolicy,
    ResponsePolicy,
    Scope,
)
from aggregator.caching.store import CacheStore
from aggregator.config.cache import CacheConfig
from aggregator.operation import OperationInfo
from aggregator.planning.plan import Fetch
from aggregator.supergraph import Supergraph

if TYPE_CHECKING:
    from aggregator.caching.request import RequestCache

__all__ = ["CacheSetup", "PurgeRequest", "SupergraphCache"]

_ANALYSES_MAX = 4096
_LEARNED_MAX = 10_000


@dataclass(frozen=True, slots=True)
class CacheSetup:
    """What a gateway needs to cache: the shared store, the settings, the sensitive fields.

    ``sensitive`` holds ``Type.field`` coordinates whose values are masked per
    caller; a fetch selecting one is PRIVATE, so an unmasked value is never
    stored under a key another subject can read. The gateway wires the set the
    authorization work derives from the supergraph (empty until then).
    """

    store: CacheStore
    config: CacheConfig
    sensitive: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PurgeRequest:
    """What to purge; at least one field is set. ``key`` needs ``type_name``."""

    type_name: str | None = None
    key: Mapping[str, Any] | None = None
    subgraph: str | None = None
    tag: str | None = None

    def tags(self) -> list[str]:
        tags: list[str] = []
        if self.key is not None:
            if self.type_name is None:
                raise InvalidPurge("a key needs its type")
            tags.append(tag_for_key(self.type_name, self.key))
        elif self.type_name is not None:
            tags.append(tag_for_type(self.type_name))
        if self.subgraph is not None:
            tags.append(tag_for_subgraph(self.subgraph))
        if self.tag is not None:
            tags.append(tag_for_cache_tag(self.tag))
        if not tags:
            raise InvalidPurge("name a type (and key), a subgraph or a tag to purge")
        return tags


@dataclass(frozen=True, slots=True)
class EntityKeys:
    prefix: str
    base: Any  # a blake2b hasher fed with the selection, variables and partition token

    def key(self, representation: bytes) -> str:
        hasher = self.base.copy()
        hasher.update(representation)
        return self.prefix + str(hasher.hexdigest())


@dataclass(frozen=True, slots=True)
class Decision:
    """One fetch shape's cacheability before its response is known."""

    storable: bool  # the operator lets this be stored
    lookup: bool  # worth a lookup (cacheable by hints, overrides or an earlier header)
    scope: Scope


@dataclass(slots=True)
class _Learned:
    scope: Scope


@dataclass(slots=True)
class SupergraphCache:
    setup: CacheSetup
    supergraph: Supergraph
    # Type.field coordinates masked per caller in this supergraph (added to setup.sensitive)
    sensitive: frozenset[str] = frozenset()
    hints: CacheHints = field(init=False)
    version: str = field(init=False)
    key_sets: dict[str, tuple[KeyFields, ...]] = field(init=False)
    _analyses: dict[tuple[str, str], FetchAnalysis] = field(init=False)
    _learned: dict[tuple[str, str, str], _Learned] = field(init=False)
    # id(compiled operation) -> (that object, digest of its document and plan choice)
    _operations: dict[int, tuple[object, str]] = field(init=False)

    def __post_init__(self) -> None:
        config = self.setup.config
        model = self.supergraph.model
        for name, override in config.types.items():
            if name not in model.types:
                raise override.origin.error(f"no type named '{name}' in the supergraph")
        for name, override in config.subgraphs.items():
            if name not in model.subgraphs:
                raise override.origin.error(f"no subgraph named '{name}' in the supergraph")
        lossy = lossy_hints(self.supergraph.document, self.supergraph.links, model)
        if lossy:
            raise config.origin.error(
                "the supergraph declares @cacheControl non-repeatable, so composition kept only "
                "one subgraph's hint on " + ", ".join(lossy) + " (a PRIVATE scope may be lost); "
                "declare it repeatable as docs/caching.md shows"
            )
        self.hints = read_hints(
            self.supergraph.document, self.supergraph.links, config.types, config.default_ttl_s
        )
        self.version = schema_version(self.supergraph.sdl)
        self.key_sets = {
            name: tuple(
                parse_key_fields(fs)
                for fs in dict.fromkeys(f for sets in t.all_keys.values() for f in sets)
            )
            for name, t in model.types.items()
            if t.all_keys
        }
        self._analyses = {}
        self._learned = {}
        self._operations = {}
        self.setup.store.acquire()

    @property
    def config(self) -> CacheConfig:
        return self.setup.config

    @property
    def store(self) -> CacheStore:
        return self.setup.store

    @property
    def enabled(self) -> bool:
        return self.setup.config.enabled

    def analysis(self, fetch: Fetch) -> FetchAnalysis:
        key = (fetch.service_name, fetch.operation)
        found = self._analyses.get(key)
        if found is None:
            if len(self._analyses) >= _ANALYSES_MAX:
                self._analyses.clear()
            found = self._analyses[key] = analyse_fetch(
                fetch, self.supergraph.model, self.hints, self.setup.sensitive | self.sensitive
            )
        return found

    # ---------------------------------------------------------------- decisions
    def storable(self, service: str, static: StaticPolicy) -> bool:
        override = self.config.subgraphs.get(service)
        return (
            self.config.enabled and not static.disabled and (override is None or override.enabled)
        )

    def policy(
        self, service: str, static: StaticPolicy, header: HeaderPolicy | None
    ) -> CachePolicy:
        """What the data allows: hints and headers, with the operator's overrides on top."""
        config = self.config
        override = config.subgraphs.get(service)
        private = (
            static.scope is Scope.PRIVATE
            or (header is not None and header.private)
            or (override is not None and override.private)
        )
        scope = Scope.PRIVATE if private else Scope.PUBLIC
        if static.explicit_zero or (header is not None and (header.no_store or header.no_cache)):
            return CachePolicy(0.0, scope)
        header_age = header.max_age if header is not None else None
        if override is not None and override.enabled and override.ttl_s is not None:
            age = override.ttl_s
        else:
            ages = [
                a
                for a in (static.max_age if static.max_age > 0 else None, header_age)
                if a is not None
            ]
            if ages:
                age = min(ages)
            elif override is not None and override.enabled:
                age = config.default_ttl_s
            else:
                age = 0.0
        return CachePolicy(min(age, config.max_ttl_s), scope)

    def decide(self, service: str, shape: tuple[str, str, str], static: StaticPolicy) -> Decision:
        storable = self.storable(service, static)
        policy = self.policy(service, static, None)
        learned = self._learned.get(shape)
        if policy.cacheable:
            return Decision(storable, storable, policy.scope)
        if learned is not None:
            scope = (
                Scope.PRIVATE if Scope.PRIVATE in (learned.scope, policy.scope) else (Scope.PUBLIC)
            )
            return Decision(storable, storable, scope)
        return Decision(storable, False, policy.scope)

    def learn(self, shape: tuple[str, str, str], static: StaticPolicy, policy: CachePolicy) -> None:
        """A header made this shape cacheable: look it up from now on."""
        if not policy.cacheable or self.policy(shape[0], static, None).cacheable:
            return
        if len(self._learned) >= _LEARNED_MAX:
            self._learned.clear()
        self._learned[shape] = _Learned(policy.scope)

    def token(self, partition: CachePartition, scope: Scope) -> str | None:
        """The partition's key part for ``scope``; None when such an entry may not be kept."""
        if scope is Scope.PRIVATE and not self.config.private:
            return None
        return partition.token(scope)

    # ---------------------------------------------------------------- keys and tags
    def root_key(self, analysis: FetchAnalysis, variables: bytes, token: str) -> str:
        digest = key_digest(analysis.key_text, variables, token)
        return f"{self.version}:r:{analysis.service}:{analysis.label}:{digest}"

    def entity_keys(
        self, analysis: FetchAnalysis, type_name: str, variables: bytes, token: str
    ) -> EntityKeys:
        """Keys of one fetch's entities of one type: the shared part is hashed once."""
        base = hashlib.blake2b(digest_size=16)
        for part in (analysis.key_text.encode(), variables, token.encode()):
            base.update(len(part).to_bytes(4, "big"))
            base.update(part)
        return EntityKeys(f"{self.version}:e:{analysis.service}:{type_name}:", base)

    def entity_key(
        self,
        analysis: FetchAnalysis,
        type_name: str,
        representation: bytes,
        variables: bytes,
        token: str,
    ) -> str:
        return self.entity_keys(analysis, type_name, variables, token).key(representation)

    def root_tags(self, analysis: FetchAnalysis, data: Any) -> tuple[str, ...]:
        tags = [tag_for_subgraph(analysis.service)]
        tags.extend(tag_for_type(t) for t in sorted(analysis.types))
        tags.extend(tag_for_cache_tag(t) for t in sorted(analysis.tags))
        tags.extend(self.entity_tags_in(analysis, data))
        return tuple(dict.fromkeys(tags))

    def entity_tags(
        self,
        analysis: FetchAnalysis,
        type_name: str,
        representation: Mapping[str, Any],
        entity: Mapping[str, Any],
    ) -> tuple[str, ...]:
        tags = [tag_for_subgraph(analysis.service), tag_for_type(type_name)]
        tags.extend(tag_for_type(t) for t in sorted(analysis.types_per_type.get(type_name, ())))
        tags.extend(tag_for_cache_tag(t) for t in sorted(analysis.tags_per_type.get(type_name, ())))
        tags.extend(
            entity_key_tags(type_name, (representation, entity), self.key_sets.get(type_name, ()))
        )
        return tuple(dict.fromkeys(tags))

    def entity_tags_in(self, analysis: FetchAnalysis, data: Any) -> list[str]:
        """``k:`` tags of the entities a root fetch's data holds (where it selected their keys)."""
        if not analysis.entity_paths or not isinstance(data, dict):
            return []
        tags: list[str] = []
        for entity_path in analysis.entity_paths:
            for obj in _objects(data, entity_path.path):
                typename = obj.get("__typename")
                if not isinstance(typename, str):
                    if len(entity_path.types) != 1:
                        continue
                    typename = entity_path.types[0]
                key_sets = self.key_sets.get(typename)
                if key_sets:
                    tags.extend(entity_key_tags(typename, (obj,), key_sets))
        return tags

    def operation_key(
        self, info: OperationInfo, compiled: object, variables: Mapping[str, Any]
    ) -> str:
        """What a whole response depends on besides the partition: document, plan choice,
        variables. The document part is computed once per compiled operation."""
        found = self._operations.get(id(compiled))
        if found is None or found[0] is not compiled:
            if len(self._operations) >= _ANALYSES_MAX:
                self._operations.clear()
            choice = next((k for k, v in info.plans.items() if v is compiled), None)
            text = (
                print_ast(info.document)
                + "\x00"
                + (info.name or "")
                + "\x00"
                + repr((choice[0], sorted(choice[1])) if choice is not None else None)
            )
            found = self._operations[id(compiled)] = (compiled, key_digest(text))
        return found[1] + ":" + variables_digest(variables)

    # ---------------------------------------------------------------- requests
    def request(
        self,
        partition: CachePartition,
        response: ResponsePolicy | None,
        headers: Mapping[str, str] | None = None,
    ) -> RequestCache:
        """The cache for one request; ``headers`` (the client's) give ``vary_headers`` values."""
        from aggregator.caching.request import RequestCache

        vary = self.config.vary_headers
        if vary:
            lowered = {k.lower(): v for k, v in (headers or {}).items()}
            partition = partition.varied(tuple(lowered.get(name) for name in vary))
        return RequestCache(self, partition, response)

    def check_purge(self, request: PurgeRequest) -> list[str]:
        """The purge's tags, after checking the names against this supergraph."""
        model = self.supergraph.model
        if request.type_name is not None and request.type_name not in model.types:
            raise InvalidPurge(f"no type named '{request.type_name}'")
        if request.subgraph is not None and request.subgraph not in model.subgraphs:
            raise InvalidPurge(f"no subgraph named '{request.subgraph}'")
        if request.key is not None and request.type_name is not None:
            key_sets = self.key_sets.get(request.type_name)
            if not key_sets:
                raise InvalidPurge(f"'{request.type_name}' is not an entity (it has no @key)")
            if not any(_matches(request.key, fields) for fields in key_sets):
                raise InvalidPurge(
                    f"the key does not match a @key of '{request.type_name}' (keys: "
                    + " | ".join(_print_key(f) for f in key_sets)
                    + ")"
                )
        return request.tags()

    async def purge(self, request: PurgeRequest) -> int:
        return await self.store.purge(self.check_purge(request))

    async def close(self) -> None:
        await self.store.release()


def _objects(value: Any, path: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Objects at ``path`` of response keys, through any lists on the way."""
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, path)
        return
    if not isinstance(value, dict):
        return
    if not path:
        yield value
        return
    yield from _objects(value.get(path[0]), path[1:])


def _matches(value: Mapping[str, Any], fields: KeyFields) -> bool:
    if not isinstance(value, Mapping) or set(value) != {name for name, _ in fields}:
        return False
    return all(sub is None or _matches(value[name], sub) for name, sub in fields)


def _print_key(fields: KeyFields) -> str:
    return " ".join(
        name if sub is None else f"{name} {{ {_print_key(sub)} }}" for name, sub in fields
    )


def variables_digest(variables: Mapping[str, Any]) -> str:
    if not variables:
        return ""
    return key_digest(orjson.dumps(variables, option=orjson.OPT_SORT_KEYS))
