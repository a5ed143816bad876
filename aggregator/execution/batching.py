"""One subgraph request per subgraph per plan wave.

Entity fetches of one wave to the same subgraph become aliased ``_entities``
fields of a single operation (:meth:`SubgraphBatcher.send`). Two ways lead there:

- a wave the executor holds whole (a ``Parallel`` of fetches while nothing else
  runs) is handed over as one list of jobs: no future per job;
- fetches reached from branches running side by side (a ``Parallel`` of
  sequences) meet in the per-request aiodataloader, which collects what every
  branch enqueued in the same event-loop tick. Identical jobs (same operation,
  representations and variables) share one slot there.

Loaders live for one client request only, so no response can reach another caller.
"""

from __future__ import annotations

import asyncio
import operator
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from aiodataloader import DataLoader

from aggregator.observability import SPAN_SUBGRAPH, inject_trace_context, tracer
from aggregator.observability.request_record import note_subgraph_request
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
    # the subgraph response's Cache-Control and Age headers (shared by a combined request)
    cache_control: str | None = None
    age: str | None = None
    # False when the combined request had an error no job could be blamed for
    clean: bool = True


def _combined(jobs: list[Job]) -> tuple[str, dict[str, Any]]:
    variables: dict[str, Any] = {}
    for index, job in enumerate(jobs):
        variables[f"r{index}"] = job.representations
        variables.update(job.variables)
    return _combined_operation(tuple(job.fetch for job in jobs)), variables


# The same wave combines the same fetches on every request: its operation text is kept
# (keyed by the fetches' identities; cleared when plans come and go in large numbers).
_OPERATIONS: dict[tuple[int, ...], tuple[tuple[Fetch, ...], str]] = {}
_OPERATIONS_LIMIT = 20_000


def _combined_operation(fetches: tuple[Fetch, ...]) -> str:
    key = tuple(map(id, fetches))
    cached = _OPERATIONS.get(key)
    if cached is not None and all(map(operator.is_, cached[0], fetches)):
        return cached[1]
    definitions: dict[str, str] = {}
    fields: list[str] = []
    for index, fetch in enumerate(fetches):
        definitions[f"r{index}"] = f"$r{index}: [_Any!]!"
        for definition in fetch.variable_definitions:
            definitions.setdefault(definition, definition)
        fields.append(f"_e{index}: _entities(representations: $r{index}){fetch.selection_text}")
    operation = "query(" + ", ".join(definitions.values()) + "){" + " ".join(fields) + "}"
    if len(_OPERATIONS) >= _OPERATIONS_LIMIT:
        _OPERATIONS.clear()
    _OPERATIONS[key] = (fetches, operation)
    return operation


def _split_errors(
    errors: list[dict[str, Any]], count: int
) -> tuple[list[list[dict[str, Any]]], bool]:
    """Each job's errors, and whether every error could be given to its job."""
    per_job: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    attributed = True
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
        attributed = False
    return per_job, attributed


class SubgraphBatcher:
    def __init__(self, subgraph: Subgraph, traced: bool = False) -> None:
        self.subgraph = subgraph
        # a tracer provider is installed (asked once per client request, not per fetch)
        self.traced = traced
        self._loader: DataLoader[Job, JobResult] | None = None
        self.requests = 0
        # bytes the subgraph answered for this client request (decides where to project)
        self.bytes = 0

    async def run(self, job: Job) -> JobResult:
        """One job from a branch that runs beside others (batched by the dataloader)."""
        if self._loader is None:
            self._loader = DataLoader(self._load, get_cache_key=lambda job: job.key)
        result: JobResult = await self._loader.load(job)
        return result

    async def send(self, jobs: list[Job]) -> list[JobResult]:
        """A wave's jobs for this subgraph, known up front: one request for all entity
        jobs, one per root job."""
        return await self._load(jobs)

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
        if not self.traced:
            # no span; a client's trace context (if any) still goes on to the subgraph, and
            # the metrics and access log still count the request
            request.headers = inject_trace_context(request.headers)
            started = perf_counter()
            response = await self.subgraph.fetch(request)
            note_subgraph_request(self.subgraph.name, perf_counter() - started, response.errors)
            self.bytes += response.size
            return response
        with tracer.start_as_current_span(
            SPAN_SUBGRAPH, attributes={"graphql.subgraph.name": self.subgraph.name}
        ) as span:
            request.headers = inject_trace_context(request.headers)
            started = perf_counter()
            response = await self.subgraph.fetch(request)
            note_subgraph_request(self.subgraph.name, perf_counter() - started, response.errors)
            self.bytes += response.size
            if response.errors:
                span.set_attribute("graphql.subgraph.errors", len(response.errors))
            return response

    async def _root(self, job: Job) -> JobResult:
        response = await self._send(job.fetch.operation, job.variables, job)
        return JobResult(response.data, response.errors, response.cache_control, response.age)

    async def _entities(self, jobs: list[Job]) -> list[JobResult]:
        if len(jobs) == 1:
            job = jobs[0]
            variables = {**job.variables, "representations": job.representations}
            response = await self._send(job.fetch.operation, variables, job)
            data = response.data.get("_entities") if response.data else None
            return [JobResult(data, response.errors, response.cache_control, response.age)]
        query, variables = _combined(jobs)
        response = await self._fetch(
            SubgraphRequest(query, variables, None, jobs[0].headers, deduplicate=True)
        )
        split, attributed = _split_errors(response.errors, len(jobs))
        return [
            JobResult(
                response.data.get(f"_e{index}") if response.data else None,
                split[index],
                response.cache_control,
                response.age,
                attributed,
            )
            for index in range(len(jobs))
        ]

    async def _load(self, jobs: list[Job]) -> list[JobResult]:
        if len(jobs) == 1:
            job = jobs[0]
            if job.representations is None:
                return [await self._root(job)]
            return await self._entities(jobs)
        entity_jobs = [j for j in jobs if j.representations is not None]
        root_jobs = [j for j in jobs if j.representations is None]
        if not root_jobs:
            return await self._entities(jobs)
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
