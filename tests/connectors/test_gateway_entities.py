"""A REST resource as a federation entity that another agency extends, through the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aggregator.demo.serving import serve_aiohttp
from aggregator.gateway import Gateway
from aggregator.transport import InProcessSubgraph
from tests.connectors.backend import Stats, make_app
from tests.connectors.federated import FIXTURES, recalls_schema, registry, service_sdls


@pytest.fixture
async def setup() -> AsyncIterator[tuple[Gateway, Stats]]:
    stats = Stats()
    async with serve_aiohttp(make_app(stats)) as url:
        gateway = Gateway.from_supergraph_sdl(
            (FIXTURES / "federated-supergraph.graphql").read_text(),
            subgraphs={
                "registry": registry(url).subgraph(),
                "recalls": InProcessSubgraph("recalls", recalls_schema),
            },
        )
        try:
            yield gateway, stats
        finally:
            await gateway.close()


async def test_fixture_sdls_match_the_subgraphs() -> None:
    for name, sdl in (await service_sdls()).items():
        assert (FIXTURES / f"federated-{name}.graphql").read_text() == sdl


async def test_rest_vehicles_extended_with_recalls(setup: tuple[Gateway, Stats]) -> None:
    gateway, _ = setup
    result = await gateway.execute(
        '{ person(id: "1") { name vehicles { plate make recalls { code } } } }'
    )
    assert "errors" not in result
    assert result["data"] == {
        "person": {
            "name": "Person 1",
            "vehicles": [
                {"plate": "P0000", "make": "Toyota", "recalls": [{"code": "R-P0000"}]},
                {"plate": "P0200", "make": "Toyota", "recalls": []},
            ],
        }
    }


async def test_entity_lookups_from_another_agency_are_one_batched_call(
    setup: tuple[Gateway, Stats],
) -> None:
    gateway, stats = setup
    result = await gateway.execute("{ recalledVehicles(first: 40) { plate make ownerId } }")
    assert "errors" not in result
    vehicles = result["data"]["recalledVehicles"]
    assert len(vehicles) == 40
    assert vehicles[1] == {"plate": "P0003", "make": "Holden", "ownerId": "4"}
    assert stats.calls["GET /vehicles/by-plate"] == 1
    assert len(stats.requests[-1][2]["plates"].split(",")) == 40
