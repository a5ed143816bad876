"""Walk a QueryPlan: one ``match`` over the node kinds, errors collected, never raised."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import parse
from graphql.language import FieldNode, OperationDefinitionNode

from aggregator.errors import ErrorCode
from aggregator.execution.batching import Job, SubgraphBatcher
from aggregator.execution.entities import (
    Path,
    deep_merge,
    objects_at,
    representation,
    restore_keys,
)
from aggregator.planning.plan import (
    Condition,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
)
from aggregator.transport.base import Subgraph


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
    extensions.setdefault("serviceName", service)
    out: dict[str, Any] = {"message": str(error.get("message", "Subgraph error"))}
    if "path" in error:
        out["path"] = error["path"]
    out["extensions"] = extensions
    return out


class _Run:
    def __init__(
        self,
        subgraphs: Mapping[str, Subgraph],
        variables: Mapping[str, Any],
        headers: Mapping[str, str],
    ) -> None:
        self.subgraphs = subgraphs
        self.variables = variables
        self.headers = dict(headers)
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
            case Condition(condition=name, if_clause=yes, else_clause=no):
                await self.node(yes if self.variables.get(name) else no)

    def fetch_variables(self, fetch: Fetch) -> dict[str, Any]:
        variables = self.variables
        return {name: variables[name] for name in fetch.variable_usages if name in variables}

    def unavailable(self, fetch: Fetch) -> None:
        self.errors.append(
            {
                "message": f"no subgraph client is configured for '{fetch.service_name}'",
                "extensions": {
                    "code": str(ErrorCode.SUBREQUEST_HTTP_ERROR),
                    "serviceName": fetch.service_name,
                },
            }
        )

    async def root_fetch(self, fetch: Fetch) -> None:
        batcher = self.batcher(fetch.service_name)
        if batcher is None:
            self.unavailable(fetch)
            return
        variables = self.fetch_variables(fetch)
        job = Job(fetch, variables, None, self.headers)
        job.key = orjson.dumps([fetch.id, fetch.operation, variables])
        result = await batcher.run(job)
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
        job = Job(fetch, variables, representations, self.headers)
        job.key = orjson.dumps([fetch.id, fetch.operation, variables, representations])
        result = await batcher.run(job)
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
        if _placed_at_fields(error):
            wheres = [where for group in targets for _, where in group][:_MAX_PLACED]
            for where in wheres:
                self.errors.append(_service_error({**error, "path": list(where)}, service))
            return
        stripped = {k: v for k, v in error.items() if k != "path"}
        self.errors.append(_service_error(stripped, service))


async def execute_plan(
    plan: QueryPlan,
    subgraphs: Mapping[str, Subgraph],
    variables: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> ExecutionResult:
    run = _Run(subgraphs, variables, headers or {})
    await run.node(plan.node)
    requests = sum(b.requests for b in run.batchers.values())
    size = sum(b.bytes for b in run.batchers.values())
    return ExecutionResult(run.data, run.errors, requests, size)
