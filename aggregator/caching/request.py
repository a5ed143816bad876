"""One request's use of the cache: lookups, partial hits, fills, single-flight.

The executor hands each fetch here with a function that performs it; this
module decides what to look up, serves what it found, asks the function for
the rest only, and stores what came back clean:

- root fetch (query): one entry per (subgraph, operation, variables, partition);
- entity fetch: one entry per entity (subgraph, type, representation,
  selection, variables, partition); a batch of 100 with 90 cached sends one
  request for the 10 missing;
- mutations are never cached (and may purge the entities they return).

Never stored: a response with errors (for ``_entities``, only the entities
with no error at their index are stored, and none when some error cannot be
placed, because an error without a path may have hit any of them), null
entities (absence may be temporary), PRIVATE data for anonymous callers.

All lookups a plan step makes are sent together (one ``MGET`` with Redis);
its writes go in one pipeline, awaited before the response is returned so a
reply implies its fills are visible to other replicas. Concurrent misses of
one entry (across requests, same partition) are filled once: the first
request fetches, the others wait for its value.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from aggregator.caching.analysis import FetchAnalysis, StaticPolicy
from aggregator.caching.backends.base import CacheWrite
from aggregator.caching.errors import BackendUnavailable
from aggregator.caching.http_cache import RestHttpCache
from aggregator.caching.keys import decode_entry, encode_entry, key_digest
from aggregator.caching.partition import CachePartition
from aggregator.caching.policy import (
    UNCACHEABLE,
    CachePolicy,
    ResponsePolicy,
    Scope,
    parse_cache_control,
)
from aggregator.connectors.http import REQUEST_HTTP_CACHE
from aggregator.execution.batching import JobResult
from aggregator.planning.plan import Fetch

if TYPE_CHECKING:
    from aggregator.caching.supergraph_cache import EntityKeys, SupergraphCache

__all__ = ["RequestCache"]

Labels = tuple[str, str]

# whole responses count under this (subgraph, type) in the metrics
_RESPONSE_LABELS: Labels = ("", "(response)")


def _variables(variables: dict[str, Any]) -> bytes:
    return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""


def _error_index(error: dict[str, Any]) -> int | None:
    path = error.get("path")
    if isinstance(path, list) and len(path) >= 2 and path[0] == "_entities":
        index = path[1]
        if isinstance(index, int):
            return index
    return None


class RequestCache:
    def __init__(
        self, cache: SupergraphCache, partition: CachePartition, response: ResponsePolicy | None
    ) -> None:
        self.cache = cache
        self.store = cache.store
        self.partition = partition
        # what the response included; the server's collector when it wants Cache-Control
        self.policy = response if response is not None else ResponsePolicy()
        # while a whole-response entry may be written: the tags of everything included
        self.tags: set[str] | None = None
        # every part was served from or written to the cache (a response entry may be kept)
        self.all_cached = True
        self._response_operation: str | None = None
        self._pending_gets: list[tuple[list[str], list[Labels], asyncio.Future[list[Any]]]] = []
        self._pending_writes: list[CacheWrite] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._owned: dict[str, asyncio.Future[bytes | None]] = {}

    # ---------------------------------------------------------------- plumbing
    def _include(self, policy: CachePolicy) -> None:
        self.policy.include(policy)

    async def _get(self, keys: list[str], labels: list[Labels]) -> list[bytes | None]:
        memory = self.store.memory
        if memory is not None:
            return memory.get_now(keys)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        if not self._pending_gets:
            loop.call_soon(self._dispatch_gets)
        self._pending_gets.append((keys, labels, future))
        return await future

    def _dispatch_gets(self) -> None:
        batch, self._pending_gets = self._pending_gets, []
        self._spawn(self._run_gets(batch))

    async def _run_gets(
        self, batch: list[tuple[list[str], list[Labels], asyncio.Future[list[Any]]]]
    ) -> None:
        keys = [k for ks, _, _ in batch for k in ks]
        labels = [lb for _, lbs, _ in batch for lb in lbs]
        try:
            values = await self.store.get_many(keys, labels)
        except BaseException as exc:  # never leave a waiting fetch hanging
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            raise
        start = 0
        for ks, _, future in batch:
            if not future.done():
                future.set_result(values[start : start + len(ks)])
            start += len(ks)

    def _write(self, writes: list[CacheWrite]) -> None:
        if not writes:
            return
        memory = self.store.memory
        if memory is not None:
            memory.set_now(writes)
            for write in writes:
                self.store.metrics.inc("fill", write.subgraph, write.type_name)
            return
        if not self._pending_writes:
            asyncio.get_running_loop().call_soon(self._dispatch_writes)
        self._pending_writes.extend(writes)

    def _dispatch_writes(self) -> None:
        batch, self._pending_writes = self._pending_writes, []
        self._spawn(self.store.set_many(batch))

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _own(self, key: str) -> asyncio.Future[bytes | None] | None:
        """Claim the fill of ``key``; returns another request's pending fill if there is one."""
        pending = self.store.inflight.get(key)
        if pending is not None and key not in self._owned:
            return pending
        if key not in self._owned:
            future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
            self.store.inflight[key] = future
            self._owned[key] = future
        return None

    def _settle(self, key: str, value: bytes | None) -> None:
        future = self._owned.pop(key, None)
        if future is None:
            return
        if self.store.inflight.get(key) is future:
            del self.store.inflight[key]
        if not future.done():
            future.set_result(value)

    def _settle_all(self) -> None:
        for key in list(self._owned):
            self._settle(key, None)

    @contextlib.contextmanager
    def bound(self) -> Iterator[None]:
        """While the plan runs: REST connector calls of this request use the HTTP cache."""
        config = self.cache.config
        if not (config.enabled and config.rest_http_cache):
            yield
            return
        token = REQUEST_HTTP_CACHE.set(RestHttpCache(self))
        try:
            yield
        finally:
            REQUEST_HTTP_CACHE.reset(token)

    async def finish(self) -> None:
        """Release unfinished fills and wait for this request's writes and purges."""
        self._settle_all()
        if self._pending_writes:
            self._dispatch_writes()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ---------------------------------------------------------------- root fetches
    async def root(
        self,
        fetch: Fetch,
        variables: dict[str, Any],
        run: Callable[[], Awaitable[JobResult]],
    ) -> JobResult:
        cache = self.cache
        analysis = cache.analysis(fetch)
        if analysis.kind != "query":
            result = await run()
            self._include(UNCACHEABLE)
            self.all_cached = False
            if analysis.kind == "mutation" and cache.config.invalidate_on_mutation:
                self._purge_returned(analysis, result)
            return result
        static = analysis.policy
        labels = (analysis.service, analysis.label)
        shape = (analysis.service, analysis.key_text, "")
        decision = cache.decide(analysis.service, shape, static)
        key: str | None = None
        if decision.lookup:
            token = cache.token(self.partition, decision.scope)
            if token is not None:
                key = cache.root_key(analysis, _variables(variables), token)
                raw = (await self._get([key], [labels]))[0]
                if raw is None:
                    self.store.metrics.inc("miss", *labels)
                    waiting = self._own(key)
                    if waiting is not None:
                        raw = await asyncio.shield(waiting)
                        shared = decode_entry(raw, self.store.clock()) if raw else None
                        if shared is not None:
                            self.store.metrics.inc("shared", *labels)
                            self._include(CachePolicy(shared[1], decision.scope))
                            if self.tags is not None:
                                self.tags.update(cache.root_tags(analysis, shared[0]))
                            return JobResult(shared[0], [])
                        self._own(key)  # that fill stored nothing: fetch it ourselves
                else:
                    hit = decode_entry(raw, self.store.clock())
                    if hit is not None:
                        self.store.metrics.inc("hit", *labels)
                        self._include(CachePolicy(hit[1], decision.scope))
                        if self.tags is not None:
                            self.tags.update(cache.root_tags(analysis, hit[0]))
                        return JobResult(hit[0], [])
                    self.store.metrics.inc("miss", *labels)
                    self._own(key)
        try:
            result = await run()
            if not self._fill_root(
                analysis, static, shape, labels, key, decision.scope, variables, result
            ):
                self.all_cached = False
        finally:
            if key is not None:
                self._settle(key, None)
        return result

    def _fill_root(
        self,
        analysis: FetchAnalysis,
        static: StaticPolicy,
        shape: tuple[str, str, str],
        labels: Labels,
        key: str | None,
        looked_up_as: Scope,
        variables: dict[str, Any],
        result: JobResult,
    ) -> bool:
        """Record the fetch's policy and write its entry; False when nothing was written."""
        cache = self.cache
        header = parse_cache_control(result.cache_control, result.age)
        policy = cache.policy(analysis.service, static, header)
        if result.errors or not isinstance(result.data, dict):
            self._include(UNCACHEABLE)
            return False
        self._include(policy)
        cache.learn(shape, static, policy)
        if not policy.cacheable or not cache.storable(analysis.service, static):
            return False
        store_key = key
        if key is None or looked_up_as is not policy.scope:
            # first seen cacheable, or the response said PRIVATE where hints said PUBLIC
            token = cache.token(self.partition, policy.scope)
            if token is None:
                return False
            store_key = cache.root_key(analysis, _variables(variables), token)
        assert store_key is not None
        value = encode_entry(result.data, policy.max_age, self.store.clock())
        tags = cache.root_tags(analysis, result.data)
        if self.tags is not None:
            self.tags.update(tags)
        self._write([CacheWrite(store_key, value, policy.max_age, tags, *labels)])
        if key is not None and store_key == key:
            self._settle(key, value)
        return True

    # ---------------------------------------------------------------- entity fetches
    async def entities(
        self,
        fetch: Fetch,
        variables: dict[str, Any],
        representations: list[dict[str, Any]],
        run: Callable[[list[dict[str, Any]]], Awaitable[JobResult]],
    ) -> JobResult:
        cache = self.cache
        analysis = cache.analysis(fetch)
        if analysis.kind != "query":
            self._include(UNCACHEABLE)
            self.all_cached = False
            return await run(representations)
        count = len(representations)
        keys: list[str | None] = [None] * count
        scopes: list[Scope] = [Scope.PUBLIC] * count
        variable_bytes = _variables(variables)
        lookup_keys: list[str] = []
        lookup_labels: list[Labels] = []
        lookup_index: list[int] = []
        decisions: dict[str, tuple[EntityKeys | None, Scope, Labels]] = {}
        sort_keys = orjson.OPT_SORT_KEYS
        for index, representation in enumerate(representations):
            type_name = representation.get("__typename")
            if not isinstance(type_name, str):
                continue
            decided = decisions.get(type_name)
            if decided is None:
                decided = decisions[type_name] = self._entity_decision(
                    analysis, type_name, variable_bytes
                )
            key_maker, scope, labels = decided
            if key_maker is None:
                continue
            key = key_maker.key(orjson.dumps(representation, option=sort_keys))
            keys[index] = key
            scopes[index] = scope
            lookup_keys.append(key)
            lookup_labels.append(labels)
            lookup_index.append(index)
        entities: list[Any] = [None] * count
        found = [False] * count
        if lookup_keys:
            values = await self._get(lookup_keys, lookup_labels)
            now = self.store.clock()
            hits: dict[Labels, int] = {}
            misses: dict[Labels, int] = {}
            freshest: dict[Labels, tuple[float, Scope]] = {}
            for index, raw, labels in zip(lookup_index, values, lookup_labels, strict=True):
                hit = decode_entry(raw, now) if raw is not None else None
                if hit is None:
                    misses[labels] = misses.get(labels, 0) + 1
                    continue
                hits[labels] = hits.get(labels, 0) + 1
                entities[index] = hit[0]
                found[index] = True
                least = freshest.get(labels)
                if least is None or hit[1] < least[0]:
                    freshest[labels] = (hit[1], scopes[index])
            metrics = self.store.metrics
            for labels, number in hits.items():
                metrics.inc("hit", *labels, number)
            for labels, number in misses.items():
                metrics.inc("miss", *labels, number)
            for remaining, scope in freshest.values():
                self._include(CachePolicy(remaining, scope))
            if self.tags is not None:
                for index in lookup_index:
                    if found[index]:
                        self._collect_entity_tags(analysis, representations[index], entities[index])
        missing = [i for i in range(count) if not found[i]]
        if not missing:
            return JobResult(entities, [])
        # misses another request is already filling: wait for its value instead of fetching
        waiting: dict[int, asyncio.Future[bytes | None]] = {}
        to_fetch: list[int] = []
        for index in missing:
            wanted = keys[index]
            pending = self._own(wanted) if wanted is not None else None
            if pending is not None:
                waiting[index] = pending
            else:
                to_fetch.append(index)
        errors: list[dict[str, Any]] = []
        try:
            if to_fetch:
                errors.extend(
                    await self._fetch_entities(
                        analysis,
                        variable_bytes,
                        representations,
                        keys,
                        scopes,
                        to_fetch,
                        entities,
                        run,
                    )
                )
            if waiting:
                late: list[int] = []
                for index, future in waiting.items():
                    raw = await asyncio.shield(future)
                    type_name = representations[index].get("__typename")
                    labels = (analysis.service, str(type_name))
                    hit = decode_entry(raw, self.store.clock()) if raw is not None else None
                    if hit is None:
                        late.append(index)
                        continue
                    self.store.metrics.inc("shared", *labels)
                    entities[index] = hit[0]
                    self._include(CachePolicy(hit[1], scopes[index]))
                    if self.tags is not None:
                        self._collect_entity_tags(analysis, representations[index], hit[0])
                if late:
                    for index in late:
                        wanted = keys[index]
                        if wanted is not None:
                            self._own(wanted)
                    errors.extend(
                        await self._fetch_entities(
                            analysis,
                            variable_bytes,
                            representations,
                            keys,
                            scopes,
                            late,
                            entities,
                            run,
                        )
                    )
        finally:
            for claimed in keys:
                if claimed is not None:
                    self._settle(claimed, None)
        return JobResult(entities, errors)

    def _collect_entity_tags(
        self, analysis: FetchAnalysis, representation: dict[str, Any], entity: Any
    ) -> None:
        assert self.tags is not None
        type_name = representation.get("__typename")
        if isinstance(type_name, str) and isinstance(entity, dict):
            self.tags.update(self.cache.entity_tags(analysis, type_name, representation, entity))

    def _entity_decision(
        self, analysis: FetchAnalysis, type_name: str, variable_bytes: bytes
    ) -> tuple[EntityKeys | None, Scope, Labels]:
        """How this request looks up one fetch's entities of one type (None: it does not)."""
        cache = self.cache
        labels = (analysis.service, type_name)
        static = analysis.per_type.get(type_name)
        if static is None:
            return None, Scope.PUBLIC, labels
        decision = cache.decide(
            analysis.service, (analysis.service, analysis.key_text, type_name), static
        )
        token = cache.token(self.partition, decision.scope) if decision.lookup else None
        if token is None:
            return None, decision.scope, labels
        return cache.entity_keys(analysis, type_name, variable_bytes, token), decision.scope, labels

    async def _fetch_entities(
        self,
        analysis: FetchAnalysis,
        variable_bytes: bytes,
        representations: list[dict[str, Any]],
        keys: Sequence[str | None],
        scopes: Sequence[Scope],
        indices: list[int],
        entities: list[Any],
        run: Callable[[list[dict[str, Any]]], Awaitable[JobResult]],
    ) -> list[dict[str, Any]]:
        """Fetch ``indices`` in one request; place results and errors at their original index."""
        cache = self.cache
        result = await run([representations[i] for i in indices])
        fetched = result.data if isinstance(result.data, list) else []
        header = parse_cache_control(result.cache_control, result.age)
        dirty: set[int] = set()
        errors: list[dict[str, Any]] = []
        blame_all = not result.clean
        for error in result.errors:
            position = _error_index(error)
            if position is None or not 0 <= position < len(indices):
                blame_all = True
                errors.append(error)
                continue
            dirty.add(position)
            path = error["path"]
            errors.append({**error, "path": ["_entities", indices[position], *path[2:]]})
        writes: list[CacheWrite] = []
        policies: dict[str, CachePolicy] = {}
        for position, index in enumerate(indices):
            entity = fetched[position] if position < len(fetched) else None
            entities[index] = entity
            type_name = representations[index].get("__typename")
            static = analysis.per_type.get(type_name) if isinstance(type_name, str) else None
            if static is None or not isinstance(type_name, str):
                self.all_cached = False
                continue
            policy = policies.get(type_name)
            if policy is None:
                policy = policies[type_name] = cache.policy(analysis.service, static, header)
                cache.learn((analysis.service, analysis.key_text, type_name), static, policy)
                self._include(policy)
            key = keys[index]
            if (
                blame_all
                or position in dirty
                or not isinstance(entity, dict)
                or not policy.cacheable
                or not cache.storable(analysis.service, static)
            ):
                self.all_cached = False
                continue
            token = cache.token(self.partition, policy.scope)
            if token is None:
                self.all_cached = False
                continue
            representation = representations[index]
            if key is not None and scopes[index] is policy.scope:
                store_key = key
            else:
                store_key = cache.entity_key(
                    analysis,
                    type_name,
                    orjson.dumps(representation, option=orjson.OPT_SORT_KEYS),
                    variable_bytes,
                    token,
                )
            value = encode_entry(entity, policy.max_age, self.store.clock())
            tags = cache.entity_tags(analysis, type_name, representation, entity)
            if self.tags is not None:
                self.tags.update(tags)
            writes.append(
                CacheWrite(store_key, value, policy.max_age, tags, analysis.service, type_name)
            )
            if key is not None and store_key == key:
                self._settle(key, value)
        if result.errors:
            self._include(UNCACHEABLE)
        self._write(writes)
        return errors

    # ---------------------------------------------------------------- whole responses
    async def cached_response(self, operation_key: str, kind: str) -> dict[str, Any] | None:
        """A stored response to this exact operation and variables, for this partition.

        Entries are written only from responses whose every part came from, or went
        into, the cache; they carry every part's tags and the shortest remaining
        freshness, so they never outlive, or escape a purge of, what they were made of.
        """
        config = self.cache.config
        if kind != "query" or not (config.enabled and config.responses):
            return None
        tokens = self._response_tokens()
        if not tokens:
            return None
        keys = [self._response_key(operation_key, token) for _, token in tokens]
        labels = [_RESPONSE_LABELS] * len(keys)
        values = await self._get(keys, labels)
        now = self.store.clock()
        for (scope, _), raw in zip(tokens, values, strict=True):
            hit = decode_entry(raw, now) if raw is not None else None
            if hit is not None and isinstance(hit[0], dict):
                self.store.metrics.inc("hit", *_RESPONSE_LABELS)
                self._include(CachePolicy(hit[1], scope))
                return hit[0]
        self.store.metrics.inc("miss", *_RESPONSE_LABELS)
        self.tags = set()
        self._response_operation = operation_key
        return None

    def store_response(self, response: dict[str, Any]) -> None:
        """Keep ``response`` if everything in it was cacheable and cached."""
        operation_key = self._response_operation
        if operation_key is None or self.tags is None:
            return
        if not self.all_cached or "errors" in response or "extensions" in response:
            return
        policy = self.policy.result(has_errors=False, authenticated=False)
        if not policy.cacheable:
            return
        token = self.cache.token(self.partition, policy.scope)
        if token is None:
            return
        key = self._response_key(operation_key, token)
        value = encode_entry(response, policy.max_age, self.store.clock())
        self._write(
            [CacheWrite(key, value, policy.max_age, tuple(sorted(self.tags)), *_RESPONSE_LABELS)]
        )

    def _response_tokens(self) -> list[tuple[Scope, str]]:
        tokens = []
        for scope in (Scope.PRIVATE, Scope.PUBLIC):
            token = self.cache.token(self.partition, scope)
            if token is not None:
                tokens.append((scope, token))
        return tokens

    def _response_key(self, operation_key: str, token: str) -> str:
        return f"{self.cache.version}:q:{key_digest(operation_key, token)}"

    # ---------------------------------------------------------------- invalidation
    def _purge_returned(self, analysis: FetchAnalysis, result: JobResult) -> None:
        tags = self.cache.entity_tags_in(analysis, result.data)
        if not tags:
            return

        async def purge() -> None:
            try:
                await self.store.purge(tags)
            except BackendUnavailable as exc:
                self.store._unavailable(exc, [(analysis.service, analysis.label)])

        self._spawn(purge())
