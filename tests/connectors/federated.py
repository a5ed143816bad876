"""Two subgraphs for the gateway test: a REST connector owning Vehicle, a Python one extending it.

python -m tests.connectors.federated   # re-compose the fixture supergraph (needs node)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import strawberry

from aggregator.connectors import Connector
from aggregator.transport import InProcessSubgraph, SubgraphRequest

FIXTURES = Path(__file__).parent / "fixtures"
KEY = b"federated-test-key-0123456789abc"

REGISTRY_SDL = """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
  @source(name: "registry", baseURL: "http://placeholder")

type Query {
  person(id: ID!): Person @rest(source: "registry", path: "/people/{$args.id}")
}

type Person {
  id: ID! @from(path: "person_id")
  name: String! @from(path: "full_name")
  vehicles: [Vehicle!]! @rest(source: "registry", path: "/people/{$this.person_id}/vehicles")
}

type Vehicle @key(fields: "plate") @rest(source: "registry")
  @batch(path: "/vehicles/by-plate", param: "plates", key: "$this.plate", match: "plate") {
  plate: ID!
  make: String!
  ownerId: ID! @from(path: "owner_id")
}
"""


@strawberry.type
class Recall:
    code: str
    summary: str


@strawberry.federation.type(keys=["plate"])
class Vehicle:
    plate: strawberry.ID

    @strawberry.field
    def recalls(self) -> list[Recall]:
        if int(str(self.plate)[1:]) % 3:
            return []
        return [Recall(code=f"R-{self.plate}", summary="Airbag inflator replacement")]

    @classmethod
    def resolve_reference(cls, plate: strawberry.ID) -> Vehicle:
        return cls(plate=plate)


@strawberry.type
class Query:
    @strawberry.field
    def recalled_vehicles(self, first: int = 30) -> list[Vehicle]:
        return [Vehicle(plate=strawberry.ID(f"P{i:04d}")) for i in range(0, 3 * first, 3)]


recalls_schema = strawberry.federation.Schema(
    query=Query, types=[Vehicle], federation_version="2.5"
)


def registry(base_url: str) -> Connector:
    return Connector(
        REGISTRY_SDL, name="registry", signing_key=KEY, base_urls={"registry": base_url}
    )


async def service_sdls() -> dict[str, str]:
    out: dict[str, str] = {}
    connector = registry("http://placeholder")
    for subgraph in (connector.subgraph(), InProcessSubgraph("recalls", recalls_schema)):
        response = await subgraph.fetch(SubgraphRequest("{ _service { sdl } }"))
        assert response.data is not None
        out[subgraph.name] = response.data["_service"]["sdl"]
        await subgraph.close()
    return out


def main() -> None:
    from aggregator.demo.compose import compose_with_apollo

    sdls = asyncio.run(service_sdls())
    for name, sdl in sdls.items():
        (FIXTURES / f"federated-{name}.graphql").write_text(sdl)
    supergraph = compose_with_apollo(
        [(name, f"http://{name}.invalid/graphql", sdl) for name, sdl in sdls.items()]
    )
    (FIXTURES / "federated-supergraph.graphql").write_text(supergraph)


if __name__ == "__main__":
    main()
