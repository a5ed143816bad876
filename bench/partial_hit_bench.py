"""Partial hits: 100 parents, 90 of their entities cached, one batched request for the other 10.

    .venv/bin/python -m bench.partial_hit_bench [--requests 300]

Two Python subgraphs run in process (strawberry, with ``@cacheControl`` from
``aggregator.caching.strawberry``): ``catalog`` lists 100 items by id (its list
says ``maxAge: 0``, so the root fetch always runs) and ``details`` resolves
``Item.detail`` as an entity (``Item`` is cacheable for 300 s). Each measured
request asks for 90 ids seen before and 10 new ones. Reported per request:
requests the ``details`` subgraph received and representations in them, CPU ms
and wall ms, next to the cold cache (100 new ids) and no cache at all.

This is a benchmark, not a test: nothing here is timed by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import strawberry

from aggregator.caching import CacheSetup, CacheStore
from aggregator.caching.strawberry import CacheControl
from aggregator.composition import CompositionSuccess, SubgraphSource, compose
from aggregator.config.cache import CacheConfig
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.transport import InProcessSubgraph, SubgraphRequest, SubgraphResponse

QUERY = "query($ids: [ID!]!) { items(ids: $ids) { id name detail } }"


@strawberry.federation.type(keys=["id"], name="Item")
class CatalogItem:
    id: strawberry.ID
    name: str


@strawberry.type
class CatalogQuery:
    @strawberry.field
    def items(self, ids: list[strawberry.ID]) -> list[CatalogItem]:
        return [CatalogItem(id=i, name=f"Item {i}") for i in ids]


@strawberry.federation.type(keys=["id"], name="Item", directives=[CacheControl(max_age=300)])
class DetailItem:
    id: strawberry.ID

    @strawberry.field
    def detail(self) -> str:
        return f"Detail of {self.id}"

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> DetailItem:
        return cls(id=id)


@strawberry.type
class DetailsQuery:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


def _schemas() -> dict[str, Any]:
    catalog = strawberry.federation.Schema(
        query=CatalogQuery, types=[CatalogItem], federation_version="2.5"
    )
    details = strawberry.federation.Schema(
        query=DetailsQuery, types=[DetailItem], federation_version="2.5"
    )
    return {"catalog": catalog, "details": details}


@dataclass
class Counting:
    """A subgraph client that counts requests and the representations they carry."""

    inner: InProcessSubgraph
    requests: int = 0
    representations: int = 0
    seen: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    async def fetch(self, request: SubgraphRequest) -> SubgraphResponse:
        self.requests += 1
        for name, value in (request.variables or {}).items():
            if (name == "representations" or name.startswith("r")) and isinstance(value, list):
                self.representations += len(value)
        return await self.inner.fetch(request)

    async def close(self) -> None:
        await self.inner.close()


async def _supergraph(schemas: dict[str, Any]) -> str:
    sources = []
    for name, schema in schemas.items():
        response = await InProcessSubgraph(name, schema).fetch(
            SubgraphRequest("{ _service { sdl } }")
        )
        assert response.data is not None, response.errors
        sources.append(
            SubgraphSource(name, f"inprocess://{name}", response.data["_service"]["sdl"])
        )
    result = compose(sources)
    assert isinstance(result, CompositionSuccess), result
    return result.supergraph_sdl


@dataclass
class Row:
    label: str
    details_requests: float
    representations: float
    cpu_ms: float
    wall_ms: float


async def _measure(
    label: str, gateway: Gateway, details: Counting, batches: list[list[str]]
) -> Row:
    details.requests = details.representations = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for ids in batches:
        result = await gateway.execute(QUERY, {"ids": ids})
        assert "errors" not in result, result
        assert len(result["data"]["items"]) == len(ids)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = len(batches)
    return Row(
        label, details.requests / n, details.representations / n, cpu * 1000 / n, wall * 1000 / n
    )


async def run(requests: int) -> list[Row]:
    schemas = _schemas()
    supergraph = await _supergraph(schemas)
    rows = []
    for cached in (False, True):
        clients = {n: Counting(InProcessSubgraph(n, s)) for n, s in schemas.items()}
        options = GatewayOptions()
        if cached:
            config = CacheConfig(enabled=True, responses=False)
            options = GatewayOptions(cache=CacheSetup(CacheStore.from_config(config), config))
        gateway = Gateway.from_supergraph_sdl(supergraph, subgraphs=clients, options=options)
        details = clients["details"]
        try:
            warm = [f"w{i}" for i in range(90)]
            await gateway.execute(QUERY, {"ids": warm})  # 90 entities cached (when cached)
            partial = [[*warm, *(f"n{r}-{i}" for i in range(10))] for r in range(requests)]
            if cached:
                cold = [[f"c{r}-{i}" for i in range(100)] for r in range(requests)]
                rows.append(await _measure("cache on, cold (100 new)", gateway, details, cold))
                rows.append(
                    await _measure("cache on, 90 cached + 10 new", gateway, details, partial)
                )
            else:
                rows.append(await _measure("no cache", gateway, details, partial))
        finally:
            await gateway.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.partial_hit_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.requests))
    print(
        "| leg | details requests / request | representations / request | CPU ms / request "
        "| wall ms / request |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row.label} | {row.details_requests:.2f} | {row.representations:.1f} "
            f"| {row.cpu_ms:.2f} | {row.wall_ms:.2f} |"
        )
    partial = rows[-1]
    ok = partial.details_requests == 1 and partial.representations == 10
    print(f"\npartial hit: {'one batched request for the 10 missing' if ok else 'UNEXPECTED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
