"""The four demo agencies, walked by hand the way a gateway would (no gateway needed)."""

from __future__ import annotations

from typing import Any

import aiohttp

from aggregator.demo.agencies import SCHEMAS_DIR, SUBGRAPH_NAMES
from aggregator.demo.app import demo_agencies
from aggregator.demo.backends import dmv, tax
from aggregator.demo.compose import service_sdls
from aggregator.demo.data import demo_data
from aggregator.transport import SubgraphRequest

VEHICLES = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen {
  id vehicles { plate make registrationStatus } drivingLicence { number demeritPoints } } } }"""
TAX = """query($r: [_Any!]!, $after: String) { _entities(representations: $r) {
  ... on Citizen { taxReturns(first: 4, after: $after) { totalCount
    edges { node { financialYear taxableIncome refund } }
    pageInfo { hasNextPage endCursor } } } } }"""
HEALTH = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Citizen { immunisations { vaccineCode dateGiven } } } }"""


async def test_subgraph_sdl_files_match_what_the_subgraphs_report() -> None:
    sdls = await service_sdls()
    assert set(sdls) == set(SUBGRAPH_NAMES)
    for name, sdl in sdls.items():
        assert (SCHEMAS_DIR / name / "subgraph.graphql").read_text() == sdl, (
            f"schemas/{name}/subgraph.graphql is stale: run python -m aggregator.demo.compose"
        )
    supergraph = (SCHEMAS_DIR / "demo" / "supergraph.graphql").read_text()
    for graph in ("DMV", "HEALTH", "IDENTITY", "TAX"):
        assert f'@join__type(graph: {graph}, key: "id")' in supergraph


async def test_citizen_walk_across_four_agencies() -> None:
    data = demo_data()
    async with demo_agencies() as agencies:
        identity = agencies.subgraphs["identity"]
        listed = await identity.fetch(SubgraphRequest("{ citizens(first: 40) { id fullName } }"))
        citizens = listed.data["citizens"]
        assert len(citizens) == 40
        representations = [{"__typename": "Citizen", "id": c["id"]} for c in citizens]

        # dmv: vehicles and licences for 40 citizens, one batched call each.
        dmv_out = await agencies.subgraphs["dmv"].fetch(
            SubgraphRequest(VEHICLES, {"r": representations})
        )
        assert dmv_out.errors == []
        plates = {v["plate"] for c in dmv_out.data["_entities"] for v in c["vehicles"]}
        expected = {
            v["registration_number"]
            for v in data.vehicles
            if v["owner_id"] in {c["id"] for c in citizens}
        }
        assert plates == expected
        assert agencies.backend_apps["dmv"][dmv.CALLS] == {"vehicles": 1, "licences": 1}

        # tax: walk one citizen's returns page by page with signed cursors.
        citizen = citizens[0]["id"]
        seen: list[str] = []
        after = None
        for _ in range(20):
            page = await agencies.subgraphs["tax"].fetch(
                SubgraphRequest(
                    TAX, {"r": [{"__typename": "Citizen", "id": citizen}], "after": after}
                )
            )
            assert page.errors == []
            connection = page.data["_entities"][0]["taxReturns"]
            assert connection["totalCount"] == len(data.tax_returns[citizen])
            seen += [e["node"]["financialYear"] for e in connection["edges"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        assert seen == [r["financial_year"] for r in data.tax_returns[citizen]]
        assert agencies.backend_apps["tax"][tax.CALLS]["returns"] == -(-len(seen) // 4)

        # health: a federation subgraph over real HTTP.
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                agencies.subgraph_urls["health"],
                json={"query": HEALTH, "variables": {"r": representations[:2]}},
            ) as response,
        ):
            body: dict[str, Any] = await response.json()
        shots = body["data"]["_entities"][0]["immunisations"]
        assert [s["vaccineCode"] for s in shots] == [
            s["vaccine_code"] for s in data.immunisations[citizens[0]["id"]]
        ]
