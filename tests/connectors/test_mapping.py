from __future__ import annotations

import pytest

from aggregator.connectors import Connector, ConnectorSchemaError
from aggregator.transport import SubgraphRequest
from tests.connectors.conftest import KEY, SDL, Harness


async def test_field_renames_nested_paths_and_lists(harness: Harness) -> None:
    out = await harness.run('{ person(id: "3") { id name age email phones } }')
    assert out == {
        "data": {
            "person": {
                "id": "3",
                "name": "Person 3",
                "age": 23,
                "email": "p3@example.test",
                "phones": ["+61 400 000 003"],
            }
        }
    }


async def test_list_root_path_and_list_argument(harness: Harness) -> None:
    out = await harness.run('{ people(ids: ["1", "2"]) { id name } }')
    assert out["data"]["people"] == [
        {"id": "1", "name": "Person 1"},
        {"id": "2", "name": "Person 2"},
    ]
    assert harness.stats.requests[-1][2] == {"ids": "1,2"}


async def test_mutation_sends_json_body(harness: Harness) -> None:
    out = await harness.run('mutation { createPerson(name: "Ada", age: 36) { id name age } }')
    assert out == {"data": {"createPerson": {"id": "999", "name": "Ada", "age": 36}}}
    assert harness.stats.calls["POST /people"] == 1


async def test_static_and_forwarded_headers(harness: Harness) -> None:
    out = await harness.run(
        "{ headers { id name } }", headers={"authorization": "Bearer abc", "cookie": "secret"}
    )
    assert out["data"]["headers"] == {"id": "k-123", "name": "Bearer abc"}
    sent = harness.stats.requests[-1][3]
    assert "Cookie" not in sent


async def test_service_sdl_has_no_connector_directives(harness: Harness) -> None:
    out = await harness.run("{ _service { sdl } }")
    sdl = out["data"]["_service"]["sdl"]
    for name in ("@rest", "@source", "@batch", "@from", "@paginate"):
        assert name not in sdl
    assert '@key(fields: "id")' in sdl
    assert "type RecordConnection" in sdl
    assert "records(first: Int, after: String, last: Int, before: String): RecordConnection!" in sdl
    assert "type PageInfo @shareable" in sdl


async def test_entities_without_rest_echo_the_representation(harness: Harness) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Person { id name } } }"""
    out = await harness.run(query, {"r": [{"__typename": "Person", "id": "5"}]})
    assert out == {"data": {"_entities": [{"id": "5", "name": "Person 5"}]}}
    assert harness.stats.calls["GET /people/{id}"] == 1


async def test_connector_subgraph_forwards_request_headers(harness: Harness) -> None:
    subgraph = harness.connector.subgraph()
    response = await subgraph.fetch(
        SubgraphRequest("{ headers { name } }", headers={"Authorization": "Bearer xyz"})
    )
    assert response.data == {"headers": {"name": "Bearer xyz"}}
    assert response.errors == []


def test_unknown_source_is_a_schema_error() -> None:
    sdl = SDL.replace('@rest(source: "people", path: "/boom")', '@rest(source: "nope", path: "/")')
    with pytest.raises(ConnectorSchemaError, match="unknown source 'nope'"):
        Connector(sdl, signing_key=KEY)


def test_bad_template_is_a_schema_error() -> None:
    sdl = SDL.replace('path: "/people/{$args.id}"', 'path: "/people/{$argz.id}"')
    with pytest.raises(ConnectorSchemaError, match="malformed expression"):
        Connector(sdl, signing_key=KEY)
