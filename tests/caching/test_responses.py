"""Whole-response entries: made only of cached parts, never outliving or escaping them.

A response whose every part came from, or went into, the cache is kept as a
whole (the fast path for repeated queries). It carries the tags of all its
parts and the shortest remaining freshness, and lives in the same partition
as its most private part.
"""

from __future__ import annotations

from pathlib import Path

from tests.caching.agencies import Agencies
from tests.caching.gateway import ADMIN_TOKEN, serve_gateway, token, write_config

CLASSES = "{ licenceClasses { code name description } }"
LOOKUP = "query($codes: [ID!]!) { lookupClasses(codes: $codes) { code description } }"
ME = "{ me { id name points } }"

SECTION = f"""
cache:
  admin_token: {ADMIN_TOKEN}
"""


def response_hits(metrics: dict[str, object]) -> int:
    counters = metrics["counters"]
    assert isinstance(counters, list)
    return sum(c["count"] for c in counters if c["type"] == "(response)" and c["event"] == "hit")


async def test_a_repeated_query_is_answered_from_one_entry(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies, SECTION)) as gateway:
        first = await gateway.post(CLASSES)
        second = await gateway.post(CLASSES)
        third = await gateway.post(CLASSES, bearer=token("alice", "dmv"))  # another partition
    assert first.body == second.body == third.body
    assert agencies.counts() == {"catalog": 2, "people": 0, "records": 2}
    metrics = gateway.metrics()
    assert response_hits(metrics) == 1
    # the parts were not even looked up for the response hit
    assert metrics["totals"]["hit"] == 1
    assert second.headers["Cache-Control"].startswith("max-age=")


async def test_variables_are_part_of_the_key(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies, SECTION)) as gateway:
        one = await gateway.post(LOOKUP, {"codes": ["C001", "C002"]})
        other = await gateway.post(LOOKUP, {"codes": ["C002", "C003"]})
        again = await gateway.post(LOOKUP, {"codes": ["C001", "C002"]})
    assert one.body == again.body
    assert other.body["data"]["lookupClasses"][1] == {"code": "C003", "description": "About C003"}
    # lookupClasses says maxAge: 0: its responses are uncacheable, so never kept whole
    assert agencies.counts()["catalog"] == 3
    assert response_hits(gateway.metrics()) == 0


async def test_a_part_that_is_not_stored_keeps_the_response_out(
    agencies: Agencies, config_dir: Path
) -> None:
    section = SECTION + "  subgraphs:\n    records: {enabled: false}\n"
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        for _ in range(3):
            await gateway.post(CLASSES)
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 3}
    assert response_hits(gateway.metrics()) == 0


async def test_purging_a_part_purges_the_responses_made_of_it(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies, SECTION)) as gateway:
        await gateway.post(CLASSES)
        await gateway.post(CLASSES)
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
        purged = await gateway.admin(
            "POST", "/admin/cache/purge", {"type": "LicenceClass", "key": {"code": "C007"}}
        )
        after = await gateway.post(CLASSES)
    # the entity, the root list holding it, and the response holding both
    assert purged.body == {"purged": 3}
    assert agencies.counts() == {"catalog": 2, "people": 0, "records": 2}
    assert [r["code"] for r in agencies["records"].representations()[-1]] == ["C007"]
    assert after.body["data"]["licenceClasses"][7]["description"] == "About C007"


async def test_private_responses_stay_with_their_subject_and_agency(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies, SECTION)) as gateway:
        alice = await gateway.post(ME, bearer=token("alice", "dmv"))
        again = await gateway.post(ME, bearer=token("alice", "dmv"))
        bob = await gateway.post(ME, bearer=token("bob", "dmv"))
        other_agency = await gateway.post(ME, bearer=token("alice", "tax"))
        anonymous = await gateway.post(ME)
    assert alice.body == again.body
    assert bob.body["data"]["me"]["name"] == "bob seen by dmv"
    assert other_agency.body["data"]["me"] == {
        "id": "alice",
        "name": "alice seen by tax",
        "points": 20,
    }
    assert anonymous.body == {"data": {"me": None}}
    assert response_hits(gateway.metrics()) == 1
    assert again.headers["Cache-Control"].endswith(", private")


async def test_a_mutation_purges_responses_holding_what_it_returned(
    agencies: Agencies, config_dir: Path
) -> None:
    alice = token("alice", "dmv")
    rename = 'mutation { renameCitizen(id: "alice", name: "Alice B") { id } }'
    async with serve_gateway(write_config(config_dir, agencies, SECTION)) as gateway:
        await gateway.post(ME, bearer=alice)
        await gateway.post(ME, bearer=alice)
        await gateway.post(rename, bearer=alice)
        after = await gateway.post(ME, bearer=alice)
    assert agencies.counts()["people"] == 3  # first `me`, the mutation, `me` after it
    assert after.body["data"]["me"]["id"] == "alice"
    assert response_hits(gateway.metrics()) == 1
