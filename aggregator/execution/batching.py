"""One subgraph request per subgraph per plan wave (the dataloader pattern).

Every fetch of a plan wave is enqueued in the same event-loop tick; the
per-request aiodataloader for a subgraph then receives all of them at once
and sends one HTTP request: entity fetches become aliased ``_entities`` fields
of a single operation. Identical jobs (same operation, representations and
variables) share one slot. Loaders live for one client request only, so no
response can reach another caller.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiodataloader import DataLoader

from aggregator.observability import SPAN_SUBGRAPH, inject_trace_context, tracer
from aggregator.planning.plan import Fetch
from aggregator.transport.base import Subgraph, SubgraphRequest, SubgraphResponse


@dataclass(eq=False, slots=True)
class Job:
    fetch: Fetch
    variables: dict[str, Any]
    representations: list[dict[str, Any]] | None
    headers: dict[str, str]
    key: bytes = field(default=b"")


@dataclass(slots=True)
class JobResult:
    data: Any
    errors: list[dict[str, Any]]


def _combined(jobs: list[Job]) -> tuple[str, dict[str, Any]]:
    definitions: dict[str, str] = {}
    fields: list[str] = []
    variables: dict[str, Any] = {}
    for index, job in enumerate(jobs):
        definitions[f"r{index}"] = f"$r{index}: [_Any!]!"
        variables[f"r{index}"] = job.representations
        for definition in job.fetch.variable_definitions:
            definitions.setdefault(definition, definition)
        variables.update(job.variables)
        fields.append(f"_e{index}: _entities(representations: $r{index}){job.fetch.selection_text}")
    operation = "query(" + ", ".join(definitions.values()) + "){" + " ".join(fields) + "}"
    return operation, variables


def _split_errors(errors: list[dict[str, Any]], count: int) -> list[list[dict[str, Any]]]:
    per_job: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    for error in errors:
        path = error.get("path")
        if isinstance(path, list) and path and isinstance(path[0], str) and path[0][:2] == "_e":
            try:
                index = int(path[0][2:])
            except ValueError:
                index = 0
            if 0 <= index < count:
                per_job[index].append({**error, "path": ["_entities", *path[1:]]})
                continue
        per_job[0].append(error)
    return per_job


class SubgraphBatcher:
    def __init__(self, subgraph: Subgraph) -> None:
        self.subgraph = subgraph
        self.loader: DataLoader[Job, JobResult] = DataLoader(
            self._load, get_cache_key=lambda job: job.key
        )
        self.requests = 0
        # bytes the subgraph answered for this client request (decides where to project)
        self.bytes = 0

    async def run(self, job: Job) -> JobResult:
        result: JobResult = await self.loader.load(job)
        return result

    async def _send(self, query: str, variables: dict[str, Any], job: Job) -> SubgraphResponse:
        return await self._fetch(
            SubgraphRequest(
                query,
                variables or None,
                job.fetch.operation_name,
                job.headers,
                deduplicate=job.fetch.operation_kind == "query",
            )
        )

    async def _fetch(self, request: SubgraphRequest) -> SubgraphResponse:
        self.requests += 1
        with tracer.start_as_current_span(
            SPAN_SUBGRAPH, attributes={"graphql.subgraph.name": self.subgraph.name}
        ) as span:
            request.headers = inject_trace_context(request.headers)
            response = await self.subgraph.fetch(request)
            self.bytes += response.size
            if response.errors:
                span.set_attribute("graphql.subgraph.errors", len(response.errors))
            return response

    async def _root(self, job: Job) -> JobResult:
        response = await self._send(job.fetch.operation, job.variables, job)
        return JobResult(response.data, response.errors)

    async def _entities(self, jobs: list[Job]) -> list[JobResult]:
        if len(jobs) == 1:
            job = jobs[0]
            variables = {**job.variables, "representations": job.representations}
            response = await self._send(job.fetch.operation, variables, job)
            data = response.data.get("_entities") if response.data else None
            return [JobResult(data, response.errors)]
        query, variables = _combined(jobs)
        response = await self._fetch(
            SubgraphRequest(query, variables, None, jobs[0].headers, deduplicate=True)
        )
        split = _split_errors(response.errors, len(jobs))
        return [
            JobResult(response.data.get(f"_e{index}") if response.data else None, split[index])
            for index in range(len(jobs))
        ]

    async def _load(self, jobs: list[Job]) -> list[JobResult]:
        entity_jobs = [j for j in jobs if j.representations is not None]
        root_jobs = [j for j in jobs if j.representations is None]
        results: dict[int, JobResult] = {}
        outcomes = await asyncio.gather(
            *(self._root(job) for job in root_jobs),
            *([self._entities(entity_jobs)] if entity_jobs else []),
        )
        for job, outcome in zip(root_jobs, outcomes, strict=False):
            assert isinstance(outcome, JobResult)
            results[id(job)] = outcome
        if entity_jobs:
            entity_results = outcomes[-1]
            assert isinstance(entity_results, list)
            for job, result in zip(entity_jobs, entity_results, strict=True):
                results[id(job)] = result
        return [results[id(job)] for job in jobs]
