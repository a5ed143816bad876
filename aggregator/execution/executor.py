"""Walk a QueryPlan: one ``match`` over the node kinds, errors collected, never raised."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from aggregator.errors import SERVICE_NAME, ErrorCode
from aggregator.execution.batching import Job, JobResult, SubgraphBatcher
from aggregator.execution.entities import (
    Path,
    deep_merge,
    objects_at,
    representation,
    restore_keys,
)
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


@dataclass(slots=True)
class ExecutionResult:
    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    subgraph_requests: int = 0


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
        self.cache = cache
        self.variables = variables
        if callable(headers):
            self.headers_for: SubgraphHeaders = headers
        else:
            same = dict(headers)
            self.headers_for = lambda _: same
        self.data: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []
        self.batchers: dict[str, SubgraphBatcher] = {}

    def batcher(self, service: str) -> SubgraphBatcher | None:
        batcher = self.batchers.get(service)
        if batcher is None:
            subgraph = self.subgraphs.get(service)
            if subgraph is None:
                return None
            batcher = self.batchers[service] = SubgraphBatcher(subgraph)
        return batcher

    async def node(self, node: PlanNode | None) -> None:
        match node:
            case None:
                return
            case Sequence(nodes=nodes):
                for child in nodes:
                    await self.node(child)
            case Parallel(nodes=nodes):
                await asyncio.gather(*(self.node(child) for child in nodes))
            case Flatten(path=path, node=fetch):
                await self.entity_fetch(path, fetch)
            case Fetch():
                await self.root_fetch(node)

    def fetch_variables(self, fetch: Fetch) -> dict[str, Any]:
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
        for error in result.errors:
            self.errors.append(_service_error(error, fetch.service_name))
        if isinstance(result.data, dict):
            if fetch.renames is not None:
                restore_keys(result.data, fetch.renames)
            deep_merge(self.data, result.data)

    async def entity_fetch(self, path: tuple[str, ...], fetch: Fetch) -> None:
        assert fetch.requires is not None
        by_type = {r.type_name: r for r in fetch.requires}
        representations: list[dict[str, Any]] = []
        index_of: dict[bytes, int] = {}
        targets: list[list[tuple[dict[str, Any], Path]]] = []
        for obj, where in objects_at(self.data, path):
            required = by_type.get(obj.get("__typename"))  # type: ignore[arg-type]
            if required is None:
                continue
            rep = representation(obj, required)
            if rep is None:
                continue
            key = orjson.dumps(rep)
            index = index_of.get(key)
            if index is None:
                index = index_of[key] = len(representations)
                representations.append(rep)
                targets.append([])
            targets[index].append((obj, where))
        if not representations:
            return
        batcher = self.batcher(fetch.service_name)
        if batcher is None:
            self.unavailable(fetch)
            return
        variables = self.fetch_variables(fetch)
        headers = self.headers_for(fetch.service_name)

        def run(reps: list[dict[str, Any]]) -> Awaitable[JobResult]:
            job = Job(fetch, variables, reps, headers)
            job.key = orjson.dumps([fetch.id, fetch.operation, variables, reps])
            return batcher.run(job)

        if self.cache is not None:
            result = await self.cache.entities(fetch, variables, representations, run)
        else:
            result = await run(representations)
        renamed = {r.type_name for r in fetch.requires if r.representation_typename != r.type_name}
        entities = result.data if isinstance(result.data, list) else []
        if fetch.renames is not None:
            restore_keys(entities, fetch.renames)
        for index, entity in enumerate(entities[: len(targets)]):
            if not isinstance(entity, dict):
                continue
            merged = entity
            if renamed:
                merged = {k: v for k, v in entity.items() if k != "__typename"}
            # Objects with the same representation share the merged sub-objects: they sit at
            # the same plan path, so every later fetch under them adds the same fields to both.
            for obj, _ in targets[index]:
                deep_merge(obj, merged)
        for error in result.errors:
            self.add_entity_error(error, fetch.service_name, targets)

    def add_entity_error(
        self,
        error: dict[str, Any],
        service: str,
        targets: list[list[tuple[dict[str, Any], Path]]],
    ) -> None:
        path = error.get("path")
        if (
            isinstance(path, list)
            and len(path) >= 2
            and path[0] == "_entities"
            and isinstance(path[1], int)
            and 0 <= path[1] < len(targets)
        ):
            for _, where in targets[path[1]]:
                self.errors.append(_service_error({**error, "path": [*where, *path[2:]]}, service))
            return
        stripped = {k: v for k, v in error.items() if k != "path"}
        self.errors.append(_service_error(stripped, service))


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
    return ExecutionResult(run.data, run.errors, requests)
