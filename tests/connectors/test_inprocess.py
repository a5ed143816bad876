"""Python (strawberry) subgraphs run in-process, and the same module over HTTP."""

from __future__ import annotations

import aiohttp
import strawberry
import strawberry.asgi

from aggregator.demo.serving import serve_asgi_app
from aggregator.transport import InProcessSubgraph, SubgraphRequest, load_python_subgraph
from resolvers.identity import schema as identity_schema

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Citizen { id fullName dateOfBirth address { locality } } } }"""
REPRESENTATIONS = [{"__typename": "Citizen", "id": "C0003"}, {"__typename": "Citizen", "id": "X"}]


async def test_entities_resolve_through_resolve_reference() -> None:
    subgraph = load_python_subgraph("identity", "resolvers.identity:schema")
    response = await subgraph.fetch(SubgraphRequest(ENTITIES, {"r": REPRESENTATIONS}))
    assert response.errors == []
    first, missing = response.data["_entities"] if response.data else (None, None)
    assert first is not None
    assert first["id"] == "C0003"
    assert first["fullName"]
    assert missing is None


async def test_caller_variables_are_not_mutated() -> None:
    subgraph = InProcessSubgraph("identity", identity_schema)
    variables = {"r": [{"__typename": "Citizen", "id": "C0001"}]}
    await subgraph.fetch(SubgraphRequest(ENTITIES, variables))
    assert variables == {"r": [{"__typename": "Citizen", "id": "C0001"}]}


async def test_in_process_and_http_give_the_same_answer() -> None:
    subgraph = InProcessSubgraph("identity", identity_schema)
    local = await subgraph.fetch(SubgraphRequest(ENTITIES, {"r": REPRESENTATIONS}))
    async with (
        serve_asgi_app(strawberry.asgi.GraphQL(identity_schema)) as url,
        aiohttp.ClientSession() as session,
    ):
        payload = {"query": ENTITIES, "variables": {"r": REPRESENTATIONS}}
        async with session.post(f"{url}/graphql", json=payload) as response:
            remote = await response.json()
    assert remote["data"] == local.data


async def test_parse_and_validation_errors_have_codes() -> None:
    subgraph = InProcessSubgraph("identity", identity_schema)
    parse_failure = await subgraph.fetch(SubgraphRequest("{ citizen("))
    assert parse_failure.data is None
    assert parse_failure.errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    invalid = await subgraph.fetch(SubgraphRequest("{ nope }"))
    assert invalid.errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert invalid.status == 400


@strawberry.type
class _Query:
    @strawberry.field
    def fine(self) -> str:
        return "ok"

    @strawberry.field
    def broken(self) -> str | None:
        raise RuntimeError("database unavailable")

    @strawberry.field
    def who(self, info: strawberry.Info) -> str:
        return str(info.context["headers"].get("x-user", ""))


async def test_resolver_exception_is_an_error_not_a_crash(caplog: object) -> None:
    subgraph = InProcessSubgraph("plain", strawberry.Schema(query=_Query))
    response = await subgraph.fetch(
        SubgraphRequest("{ fine broken who }", headers={"x-user": "alice"})
    )
    assert response.data == {"fine": "ok", "broken": None, "who": "alice"}
    [error] = response.errors
    assert error["path"] == ["broken"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


async def test_variables_that_are_not_json_are_still_copied() -> None:
    subgraph = InProcessSubgraph("plain", strawberry.Schema(query=_Query))
    response = await subgraph.fetch(SubgraphRequest("{ fine }", variables={"x": {1, 2}}))
    assert response.data == {"fine": "ok"}
