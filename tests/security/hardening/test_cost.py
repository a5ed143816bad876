"""Demand control: estimates from @cost/@listSize in the supergraph, refusals before any fetch."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from graphql import parse
from graphql.language import OperationDefinitionNode

from aggregator.gateway import Gateway, GatewayOptions
from aggregator.registry.composer import SubgraphSdl, compose_sdls
from aggregator.security.cost import CostModel, CostPolicy
from aggregator.server import create_app
from aggregator.supergraph import load
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

COMPOSED = (
    Path(__file__).parents[2] / "composition" / "cases" / "cost_list_size" / "expected.graphql"
)


def _estimate(query: str, variables: dict[str, Any] | None = None, list_size: int = 10) -> int:
    supergraph = load(COMPOSED.read_text())
    model = CostModel.from_supergraph(supergraph.document, supergraph.links, supergraph.api_schema)
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return model.estimate(document, operation, variables or {}, CostPolicy(list_size=list_size))


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        # items @cost(2); edges sized by `first` (3) x (Item @cost(5) + price @cost(3))
        ("{ items(first: 3) { edges { id price } } }", None, 2 + 3 * (5 + 3)),
        ("query($n: Int) { items(first: $n) { edges { id } } }", {"n": 7}, 2 + 7 * 5),
        # no slicing argument given: the configured list_size sizes the edges
        ("{ items { edges { id } } }", None, 2 + 10 * 5),
        # top: [Item] @listSize(assumedSize: 10), Item @cost(5)
        ("{ top { id __typename } }", None, 10 * 5),
        ("{ ...F } fragment F on Query { top { price } }", None, 10 * (5 + 3)),
    ],
)
def test_static_estimates_follow_the_cost_spec(
    query: str, variables: dict[str, Any] | None, expected: int
) -> None:
    assert _estimate(query, variables) == expected


def test_sized_fields_apply_through_fragments() -> None:
    query = (
        "{ items(first: 2) { ...E } } fragment E on ItemConnection { edges { ...P } } "
        "fragment P on Item { price }"
    )
    assert _estimate(query) == 2 + 2 * (5 + 3)


def test_a_fragment_spread_twice_in_one_selection_set_costs_once() -> None:
    levels = 60  # 2^60 spreads that all merge into one
    fragments = ["fragment T0 on Query { top { price } }"] + [
        f"fragment T{i} on Query {{ ...T{i - 1} ...T{i - 1} }}" for i in range(1, levels)
    ]
    query = f"{{ ...T{levels - 1} }} " + " ".join(fragments)
    assert _estimate(query) == 10 * (5 + 3)


ACCOUNTS = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
                    import: ["@key", "@cost", "@listSize"])
type Query {
  users(first: Int): [User!]! @listSize(slicingArguments: ["first"])
  me: User
}
type User @key(fields: "id") { id: ID! name: String report: String @cost(weight: 50) }
"""


def _user(user_id: str) -> dict[str, Any]:
    return {"__typename": "User", "id": user_id, "name": f"user {user_id}", "report": "r"}


RESOLVERS = {
    "Query": {
        "users": lambda _root, _info, first=3: [_user(str(i)) for i in range(first)],
        "me": lambda _root, _info: _user("1"),
    },
    "User": {"__resolve_reference": lambda ref: _user(ref["id"])},
}


@contextlib.asynccontextmanager
async def _gateway(policy: CostPolicy) -> AsyncIterator[tuple[str, FederatedSubgraph]]:
    subgraph = FederatedSubgraph("accounts", ACCOUNTS, RESOLVERS)
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(subgraph)) + "/graphql"
        sdl = compose_sdls([SubgraphSdl("accounts", url, ACCOUNTS)]).supergraph_sdl
        gateway = Gateway.from_supergraph_sdl(sdl, options=GatewayOptions(cost=policy))
        stack.push_async_callback(gateway.close)
        base = await stack.enter_async_context(serve_asgi(create_app(gateway)))
        yield base + "/graphql", subgraph


async def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status, await response.json()


async def test_an_operation_over_the_maximum_is_refused_before_any_subgraph_call() -> None:
    async with _gateway(CostPolicy(max_cost=100)) as (url, subgraph):
        status, body = await _post(url, {"query": "{ users(first: 5) { name report } }"})
        assert subgraph.requests == []
    assert status == 200
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "cost": {"estimated": 5 * (1 + 50), "max": 100},
    }
    assert "data" not in body


async def test_the_estimate_depends_on_the_variables_that_size_lists() -> None:
    query = "query($n: Int) { users(first: $n) { name report } }"
    async with _gateway(CostPolicy(max_cost=100)) as (url, _):
        _, small = await _post(
            url, {"query": query, "variables": {"n": 1}, "extensions": {"cost": True}}
        )
        _, large = await _post(url, {"query": query, "variables": {"n": 2}})
    assert small["data"] == {"users": [{"name": "user 0", "report": "r"}]}
    assert small["extensions"]["cost"] == {"estimated": 51, "max": 100}
    assert large["errors"][0]["extensions"]["cost"]["estimated"] == 102


async def test_the_estimate_is_reported_only_when_asked_for() -> None:
    async with _gateway(CostPolicy()) as (url, _):
        _, plain = await _post(url, {"query": "{ me { name } }"})
        _, asked = await _post(url, {"query": "{ me { name } }", "extensions": {"cost": True}})
    assert plain == {"data": {"me": {"name": "user 1"}}}
    assert asked["extensions"] == {"cost": {"estimated": 1, "max": None}}
