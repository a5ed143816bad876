"""Per-request dataloaders: one per source for plain calls, one per batch endpoint.

Loaders live in the request's context dict and die with it: a value loaded
for one caller is never served to another (no data may cross users). Within
one request, identical calls are made once, calls to one source respect its
concurrency cap, and parents that share a batch endpoint are answered by one
call per ``maxSize`` chunk.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import orjson
from aiodataloader import DataLoader
from graphql import GraphQLError

from aggregator.connectors.directives import BatchSpec, SourceSpec
from aggregator.connectors.http import HttpCall, HttpResult, perform
from aggregator.connectors.templates import get_path
from aggregator.errors import SERVICE_NAME, ErrorCode

__all__ = ["BatchKey", "RequestState"]

# (call without the batch parameter, the batch spec, one parent's key value as text)
BatchKey = tuple[HttpCall, BatchSpec, str]


class RequestState:
    """Everything one GraphQL request may cache: loaders, semaphores, forwarded headers."""

    def __init__(
        self,
        session_getter: Callable[[], aiohttp.ClientSession],
        headers: Mapping[str, str],
        sources: Mapping[str, SourceSpec],
    ) -> None:
        self._session_getter = session_getter
        self.incoming_headers = {k.lower(): v for k, v in headers.items()}
        self._sources = sources
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._call_loaders: dict[str, DataLoader[HttpCall, HttpResult]] = {}
        self._batch_loaders: dict[str, DataLoader[BatchKey, list[Any]]] = {}

    def headers_for(self, source: SourceSpec) -> tuple[tuple[str, str], ...]:
        forwarded = [
            (name, self.incoming_headers[name])
            for name in source.forward_headers
            if name in self.incoming_headers
        ]
        return tuple(sorted((*source.headers, *forwarded)))

    async def _run(self, call: HttpCall) -> HttpResult:
        source = self._sources[call.source]
        semaphore = self._semaphores.get(source.name)
        if semaphore is None:
            semaphore = self._semaphores[source.name] = asyncio.Semaphore(source.max_concurrency)
        async with semaphore:
            return await perform(self._session_getter(), call, source.timeout)

    def call(self, call: HttpCall) -> Any:
        """Awaitable result of ``call``, deduplicated within this request.

        Only reads are deduplicated: two identical POSTs in one request both run.
        """
        if call.method not in {"GET", "HEAD"}:
            return self._run(call)
        loader = self._call_loaders.get(call.source)
        if loader is None:

            async def load_many(calls: list[HttpCall]) -> list[Any]:
                return list(
                    await asyncio.gather(*(self._run(c) for c in calls), return_exceptions=True)
                )

            loader = self._call_loaders[call.source] = DataLoader(load_many)
        return loader.load(call)

    def batched(self, base: HttpCall, spec: BatchSpec, key: str) -> Any:
        """Awaitable list of the items whose ``match`` equals ``key``, from a batched call."""
        endpoint = f"{base.source} {spec.method} {base.url}"
        loader = self._batch_loaders.get(endpoint)
        if loader is None:
            loader = self._batch_loaders[endpoint] = DataLoader(self._load_batch)
        return loader.load((base, spec, key))

    async def _load_batch(self, keys: list[BatchKey]) -> list[Any]:
        groups: dict[tuple[HttpCall, BatchSpec], list[str]] = defaultdict(list)
        for base, spec, key in keys:
            group = groups[(base, spec)]
            if key not in group:
                group.append(key)
        found: dict[tuple[HttpCall, BatchSpec, str], Any] = {}
        chunks: list[tuple[HttpCall, BatchSpec, list[str]]] = []
        for (base, spec), values in groups.items():
            for start in range(0, len(values), spec.max_size):
                chunks.append((base, spec, values[start : start + spec.max_size]))
        results = await asyncio.gather(
            *(self.call(_with_batch(base, spec, chunk)) for base, spec, chunk in chunks),
            return_exceptions=True,
        )
        for (base, spec, chunk), result in zip(chunks, results, strict=True):
            if isinstance(result, BaseException):
                for value in chunk:
                    found[(base, spec, value)] = result
                continue
            items = get_path(result.data, spec.root) if spec.root else result.data
            if not isinstance(items, list):
                error = GraphQLError(
                    f"{base.source}: batch response of {base.url} is not a list",
                    extensions={
                        "code": str(ErrorCode.SUBREQUEST_MALFORMED_RESPONSE),
                        SERVICE_NAME: base.source,
                        "http": {"status": result.status},
                    },
                )
                for value in chunk:
                    found[(base, spec, value)] = error
                continue
            grouped: dict[str, list[Any]] = {value: [] for value in chunk}
            for item in items:
                match = get_path(item, spec.match)
                if match is not None and str(match) in grouped:
                    grouped[str(match)].append(item)
            for value, matched in grouped.items():
                found[(base, spec, value)] = HttpResult(result.status, matched)
        return [found[key] for key in keys]


def _with_batch(base: HttpCall, spec: BatchSpec, values: list[str]) -> HttpCall:
    if spec.method == "GET":
        query = (*base.query, (spec.param, ",".join(values)))
        return HttpCall(base.source, spec.method, base.url, query, None, base.headers)
    body = orjson.dumps({spec.param: values})
    return HttpCall(base.source, spec.method, base.url, base.query, body, base.headers)
