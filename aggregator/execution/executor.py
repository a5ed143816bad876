"""Walk a QueryPlan: one ``match`` over the node kinds, errors collected, never raised."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from graphql import parse
from graphql.language import FieldNode, OperationDefinitionNode

from aggregator.errors import SERVICE_NAME, ErrorCode
from aggregator.execution.batching import Job, JobResult, SubgraphBatcher
from aggregator.execution.entities import (
    Path,
    RepresentationKey,
    deep_merge,
    group_by_representation,
    objects_at,
    paths_at,
    restore_keys,
)
from aggregator.observability import tracing_enabled
from aggregator.planning.plan import (
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
)
from aggregator.transport.base import Subgraph

if TYPE_CHECKING:
    from aggregator.caching.request import RequestCache

_FETCHES = (Fetch, Flatten)
_NESTED = (dict, list)
# per representation, the objects at the fetch's path that it stands for
_Targets = list[list[dict[str, Any]]]


@dataclass(slots=True)
class ExecutionResult:
    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    subgraph_requests: int = 0
    # bytes the subgraphs answered in all
    response_bytes: int = 0


# errors about a whole fetch that belong at the fields the fetch was to answer
_AT_FIELDS = frozenset({str(ErrorCode.SUBREQUEST_RESPONSE_TOO_LARGE)})
_MAX_PLACED = 100


def _placed_at_fields(error: dict[str, Any]) -> bool:
    extensions = error.get("extensions")
    return (
        "path" not in error
        and isinstance(extensions, dict)
        and extensions.get("code") in _AT_FIELDS
    )


@functools.lru_cache(maxsize=256)
def _root_keys(operation: str) -> tuple[str, ...]:
    """Response keys of a root fetch's top-level fields (only needed on its error path)."""
    document = parse(operation)
    keys: list[str] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    keys.append((selection.alias or selection.name).value)
    return tuple(keys)


def _service_error(error: dict[str, Any], service: str) -> dict[str, Any]:
    extensions = error.get("extensions")
    extensions = dict(extensions) if isinstance(extensions, dict) else {}
    extensions.setdefault("code", str(ErrorCode.DOWNSTREAM_SERVICE_ERROR))
    extensions.setdefault(SERVICE_NAME, service)
    out: dict[str, Any] = {"message": str(error.get("message", "Subgraph error"))}
    if "path" in error:
        out["path"] = error["path"]
    out["extensions"] = extensions
    return out


# the headers of one request's fetches to a subgraph, by subgraph name
SubgraphHeaders = Callable[[str], dict[str, str]]


class _Run:
    def __init__(
        self,
        subgraphs: Mapping[str, Subgraph],
        variables: Mapping[str, Any],
        headers: Mapping[str, str] | SubgraphHeaders,
        cache: RequestCache | None = None,
    ) -> None:
        self.subgraphs = subgraphs
        self.variables = variables
        self.cache = cache
        if callable(headers):
            self.headers_for: SubgraphHeaders = headers
        else:
            same = dict(headers)
            self.headers_for = lambda _: same
        # the resolver cache wraps each fetch (a lookup, then only the misses are sent), so
        # with a cache every fetch takes the per-fetch path; without one, waves are sent as
        # known lists of jobs
        self.waves = cache is None
        self.data: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []
        self.batchers: dict[str, SubgraphBatcher] = {}
        self.traced = tracing_enabled()
        # branches of a Parallel running side by side right now: their fetches can only meet
        # in the dataloader; with none, a wave is sent as one known list of jobs
        self.side_by_side = 0
        # objects found at each plan path, kept until a merge may change them (see merged)
        self.walks: dict[tuple[str, ...], list[dict[str, Any]]] = {}

    def batcher(self, service: str) -> SubgraphBatcher | None:
        batcher = self.batchers.get(service)
        if batcher is None:
            subgraph = self.subgraphs.get(service)
            if subgraph is None:
                return None
            batcher = self.batchers[service] = SubgraphBatcher(subgraph, self.traced)
        return batcher

    async def node(self, node: PlanNode | None) -> None:
        match node:
            case None:
                return
            case Sequence(nodes=nodes):
                for child in nodes:
                    await self.node(child)
            case Parallel(nodes=nodes):
                if (
                    self.waves
                    and self.side_by_side == 0
                    and all(type(n) in _FETCHES for n in nodes)
                ):
                    await self.wave(nodes)
                    return
                self.side_by_side += 1
                try:
                    await asyncio.gather(*(self.node(child) for child in nodes))
                finally:
                    self.side_by_side -= 1
            case Flatten(path=path, node=fetch):
                if self.waves and self.side_by_side == 0:
                    await self.wave((node,))
                else:
                    await self.entity_fetch(path, fetch)
            case Fetch():
                if self.waves and self.side_by_side == 0:
                    await self.wave((node,))
                else:
                    await self.root_fetch(node)

    async def wave(self, nodes: tuple[PlanNode, ...]) -> None:
        """Fetches that run alone, all known now: grouped by subgraph and sent without the
        dataloader (one request per subgraph for the entity fetches), then merged in plan
        order."""
        steps: list[tuple[Fetch, tuple[str, ...] | None, Job, _Targets | None]] = []
        groups: dict[SubgraphBatcher, list[Job]] = {}
        for node in nodes:
            if type(node) is Flatten:
                fetch = node.node
                prepared = self.entity_job(node.path, fetch)
                if prepared is None:
                    continue
                job, targets = prepared
                path: tuple[str, ...] | None = node.path
            else:
                assert isinstance(node, Fetch)
                fetch, path, targets = node, None, None
                job = Job(
                    fetch, self.fetch_variables(fetch), None, self.headers_for(fetch.service_name)
                )
            batcher = self.batcher(fetch.service_name)
            if batcher is None:
                self.unavailable(fetch)
                continue
            steps.append((fetch, path, job, targets))
            groups.setdefault(batcher, []).append(job)
        if not groups:
            return
        results: dict[int, JobResult] = {}
        sent = [(jobs, batcher.send(jobs)) for batcher, jobs in groups.items()]
        if len(sent) == 1:
            answers = [await sent[0][1]]
        else:
            answers = await asyncio.gather(*(request for _, request in sent))
        for (jobs, _), answer in zip(sent, answers, strict=True):
            for job, result in zip(jobs, answer, strict=True):
                results[id(job)] = result
        for fetch, path, job, targets in steps:
            result = results[id(job)]
            if path is None:
                self.merge_root(fetch, result)
            else:
                assert targets is not None
                self.merge_entities(path, fetch, targets, result)

    def fetch_variables(self, fetch: Fetch) -> dict[str, Any]:
        if not fetch.variable_usages:
            return {}
        variables = self.variables
        return {name: variables[name] for name in fetch.variable_usages if name in variables}

    def unavailable(self, fetch: Fetch) -> None:
        self.errors.append(
            {
                "message": f"no subgraph client is configured for '{fetch.service_name}'",
                "extensions": {
                    "code": str(ErrorCode.SUBREQUEST_HTTP_ERROR),
                    SERVICE_NAME: fetch.service_name,
                },
            }
        )

    async def root_fetch(self, fetch: Fetch) -> None:
        batcher = self.batcher(fetch.service_name)
        if batcher is None:
            self.unavailable(fetch)
            return
        variables = self.fetch_variables(fetch)
        job = Job(fetch, variables, None, self.headers_for(fetch.service_name))
        job.key = orjson.dumps([fetch.id, fetch.operation, variables])
        if self.cache is not None:
            result = await self.cache.root(fetch, variables, lambda: batcher.run(job))
        else:
            result = await batcher.run(job)
        self.merge_root(fetch, result)

    def merge_root(self, fetch: Fetch, result: JobResult) -> None:
        for error in result.errors:
            if _placed_at_fields(error):
                for key in _root_keys(fetch.operation):
                    self.errors.append(_service_error({**error, "path": [key]}, fetch.service_name))
                continue
            self.errors.append(_service_error(error, fetch.service_name))
        if isinstance(result.data, dict):
            if fetch.renames is not None:
                restore_keys(result.data, fetch.renames)
            deep_merge(self.data, result.data)
            self.merged((), result.data.keys())

    def objects(self, path: tuple[str, ...]) -> list[dict[str, Any]]:
        """The objects at a plan path, walked once until a merge may change them: waves
        often fetch for the same path again (a field that @requires another's result)."""
        found = self.walks.get(path)
        if found is None:
            found = self.walks[path] = objects_at(self.data, path)
        return found

    def merged(self, path: tuple[str, ...], keys: Iterable[str]) -> None:
        """Forget the walks a merge of ``keys`` into the objects at ``path`` may have changed:
        those that go on below ``path`` through one of those keys. Objects at ``path`` itself
        stay the same dicts (merging adds to them), and other paths do not pass through them."""
        if not self.walks:
            return
        depth = len(path)
        written = set(keys)
        for walked in [w for w in self.walks if len(w) > depth and w[depth] in written]:
            if walked[:depth] == path:
                del self.walks[walked]

    def entity_job(self, path: tuple[str, ...], fetch: Fetch) -> tuple[Job, _Targets] | None:
        """The job for an entity fetch and, per representation, the objects it answers for
        (None when no object at ``path`` needs this fetch)."""
        representations, targets = group_by_representation(
            self.objects(path), _entity_shape(fetch).by_type
        )
        if not representations:
            return None
        job = Job(
            fetch,
            self.fetch_variables(fetch),
            representations,
            self.headers_for(fetch.service_name),
        )
        return job, targets

    async def entity_fetch(self, path: tuple[str, ...], fetch: Fetch) -> None:
        prepared = self.entity_job(path, fetch)
        if prepared is None:
            return
        job, targets = prepared
        batcher = self.batcher(fetch.service_name)
        if batcher is None:
            self.unavailable(fetch)
            return
        if self.cache is not None:
            variables, headers = job.variables, job.headers

            def run(reps: list[dict[str, Any]]) -> Awaitable[JobResult]:
                part = Job(fetch, variables, reps, headers)
                part.key = orjson.dumps([fetch.id, fetch.operation, variables, reps])
                return batcher.run(part)

            assert job.representations is not None
            result = await self.cache.entities(fetch, variables, job.representations, run)
        else:
            job.key = orjson.dumps([fetch.id, fetch.operation, job.variables, job.representations])
            result = await batcher.run(job)
        self.merge_entities(path, fetch, targets, result)

    def merge_entities(
        self, path: tuple[str, ...], fetch: Fetch, targets: _Targets, result: JobResult
    ) -> None:
        renamed = _entity_shape(fetch).renamed
        entities = result.data if isinstance(result.data, list) else []
        if fetch.renames is not None:
            restore_keys(entities, fetch.renames)
        written: set[str] = set()
        for index, entity in enumerate(entities[: len(targets)]):
            if not isinstance(entity, dict):
                continue
            merged = entity
            if renamed:
                merged = {k: v for k, v in entity.items() if k != "__typename"}
            keys = merged.keys()
            written.update(keys)
            objects = targets[index]
            if all(type(value) not in _NESTED for value in merged.values()):
                # scalars only: dict.update is what deep_merge would do, overlap or not
                for obj in objects:
                    obj.update(merged)
                continue
            # Objects with the same representation share the merged sub-objects: they sit at
            # the same plan path, so every later fetch under them adds the same fields to both.
            for obj in objects:
                if obj.keys().isdisjoint(keys):
                    obj.update(merged)  # fields the object does not have yet
                else:
                    deep_merge(obj, merged)
        self.merged(path, written)
        if result.errors:
            where = _response_paths(self.data, path, targets)
            for error in result.errors:
                self.add_entity_error(error, fetch.service_name, where)

    def add_entity_error(
        self,
        error: dict[str, Any],
        service: str,
        targets: list[list[Path]],
    ) -> None:
        path = error.get("path")
        if (
            isinstance(path, list)
            and len(path) >= 2
            and path[0] == "_entities"
            and isinstance(path[1], int)
            and 0 <= path[1] < len(targets)
        ):
            for where in targets[path[1]]:
                self.errors.append(_service_error({**error, "path": [*where, *path[2:]]}, service))
            return
        if _placed_at_fields(error):
            wheres = [where for group in targets for where in group][:_MAX_PLACED]
            for where in wheres:
                self.errors.append(_service_error({**error, "path": list(where)}, service))
            return
        stripped = {k: v for k, v in error.items() if k != "path"}
        self.errors.append(_service_error(stripped, service))


@dataclass(frozen=True, slots=True)
class _EntityShape:
    """What an entity fetch needs from its plan node, computed once per planned fetch."""

    fetch: Fetch
    by_type: dict[str, RepresentationKey]
    # types sent under another __typename (@interfaceObject): their answers drop __typename
    renamed: bool


_SHAPES: dict[int, _EntityShape] = {}
_SHAPES_LIMIT = 20_000


def _entity_shape(fetch: Fetch) -> _EntityShape:
    shape = _SHAPES.get(id(fetch))
    if shape is not None and shape.fetch is fetch:
        return shape
    assert fetch.requires is not None
    if len(_SHAPES) >= _SHAPES_LIMIT:  # plans evicted from the document cache go with these
        _SHAPES.clear()
    shape = _SHAPES[id(fetch)] = _EntityShape(
        fetch,
        {r.type_name: RepresentationKey(r) for r in fetch.requires},
        any(r.representation_typename != r.type_name for r in fetch.requires),
    )
    return shape


def _response_paths(
    data: dict[str, Any], path: tuple[str, ...], targets: list[list[dict[str, Any]]]
) -> list[list[Path]]:
    """The response paths of each representation's objects (only when errors need them)."""
    index_of = {id(obj): index for index, objects in enumerate(targets) for obj in objects}
    out: list[list[Path]] = [[] for _ in targets]
    for obj, where in paths_at(data, path):
        index = index_of.get(id(obj))
        if index is not None:
            out[index].append(where)
    return out


async def execute_plan(
    plan: QueryPlan,
    subgraphs: Mapping[str, Subgraph],
    variables: Mapping[str, Any],
    headers: Mapping[str, str] | SubgraphHeaders | None = None,
    cache: RequestCache | None = None,
) -> ExecutionResult:
    run = _Run(subgraphs, variables, headers or {}, cache)
    if cache is None:
        await run.node(plan.node)
    else:
        try:
            with cache.bound():
                await run.node(plan.node)
        finally:
            await cache.finish()
    requests = sum(b.requests for b in run.batchers.values())
    size = sum(b.bytes for b in run.batchers.values())
    return ExecutionResult(run.data, run.errors, requests, size)
