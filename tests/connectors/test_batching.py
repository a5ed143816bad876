"""Backend calls are counted: batching is a number, not a hope."""

from __future__ import annotations

import asyncio

from tests.connectors.conftest import Harness

IDS = [str(i) for i in range(1, 101)]


async def test_batch_endpoint_answers_100_parents_in_one_call(harness: Harness) -> None:
    out = await harness.run(
        "query($ids: [ID!]!) { people(ids: $ids) { id batchedVehicles { plate ownerId } } }",
        {"ids": IDS},
    )
    assert "errors" not in out
    people = out["data"]["people"]
    assert len(people) == 100
    assert all(v["ownerId"] == p["id"] for p in people for v in p["batchedVehicles"])
    assert sum(len(p["batchedVehicles"]) for p in people) == 200
    assert harness.stats.calls["GET /vehicles"] == 1
    assert harness.stats.calls["GET /people"] == 1


async def test_without_batch_endpoint_one_call_per_distinct_parent_under_the_cap(
    harness: Harness,
) -> None:
    ids = IDS + IDS[:30]  # 130 parents, 100 distinct
    out = await harness.run(
        "query($ids: [ID!]!) { people(ids: $ids) { id vehicles { plate } } }", {"ids": ids}
    )
    assert "errors" not in out
    assert len(out["data"]["people"]) == 130
    assert harness.stats.calls["GET /people/{id}/vehicles"] == 100
    assert harness.stats.max_in_flight <= 3  # maxConcurrency: 3 on the source


async def test_identical_calls_in_one_request_are_made_once(harness: Harness) -> None:
    out = await harness.run(
        '{ a: person(id: "4") { name } b: person(id: "4") { age } c: person(id: "5") { name } }'
    )
    assert out["data"] == {
        "a": {"name": "Person 4"},
        "b": {"age": 24},
        "c": {"name": "Person 5"},
    }
    assert harness.stats.calls["GET /people/{id}"] == 2


async def test_entity_lookups_batch_and_deduplicate(harness: Harness) -> None:
    representations = [{"__typename": "Owner", "id": i} for i in IDS + IDS[:50]]
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Owner { id name } } }"""
    out = await harness.run(query, {"r": representations})
    assert "errors" not in out
    entities = out["data"]["_entities"]
    assert len(entities) == 150
    assert entities[0] == {"id": "1", "name": "Person 1"}
    assert entities[120] == {"id": "21", "name": "Person 21"}
    assert harness.stats.calls["GET /people"] == 1
    sent_ids = harness.stats.requests[-1][2]["ids"].split(",")
    assert sorted(sent_ids, key=int) == IDS


async def test_entity_lookup_of_unknown_key_is_null(harness: Harness) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Owner { name } } }"""
    out = await harness.run(
        query, {"r": [{"__typename": "Owner", "id": "1"}, {"__typename": "Owner", "id": "nope"}]}
    )
    assert out["data"]["_entities"] == [{"name": "Person 1"}, None]


async def test_loaders_are_per_request(harness: Harness) -> None:
    query = '{ person(id: "9") { name } }'
    first, second = await asyncio.gather(harness.run(query), harness.run(query))
    assert first == second == {"data": {"person": {"name": "Person 9"}}}
    assert harness.stats.calls["GET /people/{id}"] == 2


async def test_post_batch_endpoint_gets_one_json_body(harness: Harness) -> None:
    representations = [{"__typename": "Member", "id": i} for i in ["3", "1", "3", "2"]]
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Member { name } } }"""
    out = await harness.run(query, {"r": representations})
    assert [e["name"] for e in out["data"]["_entities"]] == [
        "Person 3",
        "Person 1",
        "Person 3",
        "Person 2",
    ]
    assert harness.stats.calls["POST /people/batch"] == 1
