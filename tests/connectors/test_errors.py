"""Backend failures become GraphQL errors at the right path; the rest is kept."""

from __future__ import annotations

from graphql import graphql

from aggregator.connectors import Connector
from tests.connectors.conftest import KEY, Harness
from tests.support.servers import free_port


async def test_http_error_keeps_the_rest_of_the_response(harness: Harness) -> None:
    out = await harness.run('{ broken { name } person(id: "1") { name } }')
    assert out["data"] == {"broken": None, "person": {"name": "Person 1"}}
    [error] = out["errors"]
    assert error["path"] == ["broken"]
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert error["extensions"]["http"] == {"status": 503}
    assert error["extensions"]["serviceName"] == "people"


async def test_not_found_carries_404(harness: Harness) -> None:
    out = await harness.run('{ person(id: "nobody") { name } }')
    assert out["data"] == {"person": None}
    assert out["errors"][0]["extensions"]["http"] == {"status": 404}


async def test_timeout(harness: Harness) -> None:
    out = await harness.run("{ slow { name } }")
    assert out["data"] == {"slow": None}
    assert out["errors"][0]["extensions"]["code"] == "SUBREQUEST_TIMEOUT"
    assert out["errors"][0]["path"] == ["slow"]


async def test_non_json_body(harness: Harness) -> None:
    out = await harness.run("{ notJson { name } }")
    assert out["data"] == {"notJson": None}
    error = out["errors"][0]
    assert error["extensions"]["code"] == "SUBREQUEST_MALFORMED_RESPONSE"
    assert error["extensions"]["http"] == {"status": 200}


async def test_json_that_does_not_fit_the_type(harness: Harness) -> None:
    out = await harness.run("{ misfit { id age } other: misfit { id name } }")
    assert out["data"] == {"misfit": {"id": "7", "age": None}, "other": None}
    paths = sorted(tuple(e["path"]) for e in out["errors"])
    assert paths == [("misfit", "age"), ("other", "name")]
    assert {e["extensions"]["code"] for e in out["errors"]} == {"SUBREQUEST_MALFORMED_RESPONSE"}


async def test_unknown_entity_type_is_bad_user_input(harness: Harness) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"""
    out = await harness.run(query, {"r": [{"__typename": "Nope", "id": "1"}]})
    assert out["data"] == {"_entities": [None]}
    assert out["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert out["errors"][0]["path"] == ["_entities", 0]


async def test_failed_batch_call_errors_every_parent_at_its_own_path(harness: Harness) -> None:
    out = await harness.run('{ people(ids: ["1", "2"]) { id brokenBatch { plate } } }')
    assert out["data"] == {
        "people": [{"id": "1", "brokenBatch": None}, {"id": "2", "brokenBatch": None}]
    }
    paths = sorted(e["path"] for e in out["errors"])
    assert paths == [["people", 0, "brokenBatch"], ["people", 1, "brokenBatch"]]
    assert {e["extensions"]["http"]["status"] for e in out["errors"]} == {503}
    assert harness.stats.calls["GET /boom"] == 1


async def test_unreachable_backend() -> None:
    sdl = """
    extend schema @source(name: "down", baseURL: "http://placeholder")
    type Query { thing: String @rest(source: "down", path: "/thing") ok: String }
    """
    connector = Connector(
        sdl, signing_key=KEY, base_urls={"down": f"http://127.0.0.1:{free_port()}"}
    )
    try:
        result = await graphql(connector.schema, "{ thing }", context_value={})
    finally:
        await connector.close()
    assert result.data == {"thing": None}
    [error] = result.errors or []
    assert error.extensions is not None
    assert error.extensions["code"] == "SUBREQUEST_HTTP_ERROR"
    assert "127.0.0.1" not in error.message
