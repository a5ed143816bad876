"""How the executor runs plans over real subgraphs: waves, side-by-side branches, cached walks.

A wave the executor holds whole (a ``Parallel`` of fetches) is sent as one
request per subgraph without the dataloader; branches that run side by side
(a ``Parallel`` holding a ``Sequence``) meet in the dataloader instead. Both
must answer the same data with the same request counts. The walks of a plan
path are reused until a merge writes through them, so a fetch that runs after
such a merge must see the objects it added.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aggregator.execution.executor import execute_plan
from aggregator.gateway import Gateway
from aggregator.planning.plan import Flatten, Parallel, QueryPlan, Sequence
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi


class Shop:
    def __init__(self, gateway: Gateway, subgraphs: dict[str, FederatedSubgraph]) -> None:
        self.gateway = gateway
        self.subgraphs = subgraphs

    def plan(self, query: str) -> QueryPlan:
        return self.gateway.plan(query)

    async def run(self, plan: QueryPlan) -> tuple[dict[str, Any], dict[str, int]]:
        """The merged data of ``plan`` and the requests each subgraph got for it."""
        for subgraph in self.subgraphs.values():
            subgraph.requests.clear()
        result = await execute_plan(plan, self.gateway.subgraphs, {})
        assert result.errors == []
        counts = {name: len(s.requests) for name, s in self.subgraphs.items() if s.requests}
        return result.data, counts


@pytest.fixture(scope="module")
async def shop() -> AsyncIterator[Shop]:
    subgraphs = {name: FederatedSubgraph(name, SDLS[name], RESOLVERS[name]) for name in SDLS}
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name, app in subgraphs.items():
            urls[name] = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        stack.push_async_callback(gateway.close)
        yield Shop(gateway, subgraphs)


TWO_BRANCHES = "{ topProducts { name reviews { body } } users { name reviews { body } } }"


def _waves(plan: QueryPlan) -> tuple[Parallel, Parallel]:
    assert isinstance(plan.node, Sequence)
    first, second = plan.node.nodes
    assert isinstance(first, Parallel)
    assert isinstance(second, Parallel)
    return first, second


async def test_a_wave_sends_one_request_per_subgraph(shop: Shop) -> None:
    plan = shop.plan(TWO_BRANCHES)
    _, second = _waves(plan)
    assert [n.node.service_name for n in second.nodes if isinstance(n, Flatten)] == [
        "reviews",
        "reviews",
    ]
    data, counts = await shop.run(plan)
    assert counts == {"products": 1, "accounts": 1, "reviews": 1}
    assert data["topProducts"][0]["reviews"] == [
        {"body": "Love it!"},
        {"body": "Prefer something else."},
    ]
    assert data["users"][1]["reviews"] == [
        {"body": "Could be better."},
        {"body": "Prefer something else."},
    ]


async def test_branches_side_by_side_meet_in_the_dataloader(shop: Shop) -> None:
    plan = shop.plan(TWO_BRANCHES)
    first, second = _waves(plan)
    products_reviews, users_reviews = second.nodes
    # the same fetches, but the second wave's are a fetch beside a one-step sequence: they
    # run as two branches and can only be batched by the dataloader (same event-loop tick)
    branched = QueryPlan(
        Sequence((first, Parallel((products_reviews, Sequence((users_reviews,))))))
    )
    expected, expected_counts = await shop.run(plan)
    data, counts = await shop.run(branched)
    assert data == expected
    assert counts == expected_counts == {"products": 1, "accounts": 1, "reviews": 1}


async def test_a_fetch_after_a_merge_through_its_path_sees_the_new_objects(shop: Shop) -> None:
    plan = shop.plan("{ topProducts { reviews { author { name } } } }")
    assert isinstance(plan.node, Sequence)
    products, reviews, authors = plan.node.nodes
    assert isinstance(authors, Flatten)
    assert authors.path == ("topProducts", "@", "reviews", "@", "author")
    expected, _ = await shop.run(plan)
    # the authors' path is walked first while it leads nowhere (no reviews merged yet); the
    # reviews merge writes through it, so the second walk must find the authors
    data, counts = await shop.run(QueryPlan(Sequence((products, authors, reviews, authors))))
    assert data == expected
    assert data["topProducts"][0]["reviews"][0]["author"]["name"] == "Ada Lovelace"
    assert counts == {"products": 1, "reviews": 1, "accounts": 1}
