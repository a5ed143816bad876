from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import graphql

from aggregator.connectors import Connector
from aggregator.demo.serving import serve_aiohttp
from tests.connectors.backend import Stats, make_app

KEY = b"test-signing-key-0123456789abcdef"

SDL = """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable"])
  @source(name: "people", baseURL: "http://placeholder", headers: ["X-Api-Key: k-123"],
          forwardHeaders: ["Authorization"], timeout: 0.5, maxConcurrency: 3)

type Query {
  person(id: ID!): Person @rest(source: "people", path: "/people/{$args.id}")
  people(ids: [ID!]!): [Person!]!
    @rest(source: "people", path: "/people", query: ["ids={$args.ids}"], root: "results")
  records: [Record!]! @rest(source: "people", path: "/records")
    @paginate(style: OFFSET, items: "items", total: "total", maxPageSize: 100)
  paged: [Record!]! @rest(source: "people", path: "/paged")
    @paginate(style: PAGE, items: "data", total: "meta.total", limitParam: "per_page",
              pageSize: 30)
  tokened: [Record!]! @rest(source: "people", path: "/tokened")
    @paginate(style: TOKEN, items: "results", nextToken: "next", tokenParam: "cursor",
              pageSize: 40)
  broken: Person @rest(source: "people", path: "/boom")
  slow: Person @rest(source: "people", path: "/slow")
  notJson: Person @rest(source: "people", path: "/notjson")
  misfit: Person @rest(source: "people", path: "/misfit")
  headers: Person @rest(source: "people", path: "/echo-headers")
}

type Mutation {
  createPerson(name: String!, age: Int!): Person
    @rest(source: "people", method: "POST", path: "/people",
          body: "{\\"full_name\\": \\"$args.name\\", \\"age\\": \\"$args.age\\"}")
}

type Person @key(fields: "id")
  @rest(source: "people", path: "/people/{$this.id}") {
  id: ID! @from(path: "person_id")
  name: String! @from(path: "full_name")
  age: Int
  email: String @from(path: "contact.email")
  phones: [String!] @from(path: "contact.phones")
  vehicles: [Vehicle!]! @rest(source: "people", path: "/people/{$this.person_id}/vehicles")
  batchedVehicles: [Vehicle!]! @rest(source: "people")
    @batch(path: "/vehicles", param: "owners", key: "$this.person_id", match: "owner_id")
  brokenBatch: [Vehicle!] @rest(source: "people")
    @batch(path: "/boom", param: "owners", key: "$this.person_id", match: "owner_id")
  records: [Record!]! @rest(source: "people", path: "/records", query: ["owner={$this.person_id}"])
    @paginate(style: OFFSET, items: "items", total: "total")
}

type Owner @key(fields: "id") @rest(source: "people")
  @batch(path: "/people", param: "ids", key: "$this.id", match: "person_id", root: "results") {
  id: ID!
  name: String @from(path: "full_name")
}

type Member @key(fields: "id") @rest(source: "people")
  @batch(path: "/people/batch", method: "POST", param: "ids", key: "$this.id", match: "person_id") {
  id: ID!
  name: String @from(path: "full_name")
}

type Vehicle {
  plate: ID!
  make: String
  ownerId: ID @from(path: "owner_id")
}

type Record {
  id: Int!
  title: String
}
"""


@dataclass
class Harness:
    connector: Connector
    stats: Stats

    async def run(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        result = await graphql(
            self.connector.schema,
            query,
            variable_values=variables,
            context_value={"headers": headers or {}},
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        return out


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    stats = Stats()
    async with serve_aiohttp(make_app(stats)) as url:
        connector = Connector(SDL, name="people", signing_key=KEY, base_urls={"people": url})
        try:
            yield Harness(connector, stats)
        finally:
            stats.release.set()
            await connector.close()


MakeConnector = Callable[..., Connector]
