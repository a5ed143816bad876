"""The corpus and its machinery, checked without any gateway (runs in CI as is).

Every case must be complete (supergraph, one golden per operation), every case's
subgraphs must build, and the subgraph framework and the comparison must do
what the conformance runner relies on: count requests, fail on demand, and
catch every difference that matters while ignoring the documented ones.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.federation.compare import differences
from tests.federation.conftest import known_gaps
from tests.federation.harness import CASES_DIR, load_cases
from tests.federation.subgraph import SubgraphServer, build_subgraph_schema, lookup
from tests.support.servers import serve_asgi

CASES = load_cases()

FED2_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { things: [Thing!]! }
type Thing @key(fields: "id") { id: ID! name: String! }
type Hidden @key(fields: "id", resolvable: false) { id: ID! }
"""

FED1_SDL = """
extend type Query { other: String }
extend type Thing @key(fields: "id") { id: ID! @external size: Int }
"""

THINGS = [{"id": "1", "name": "one"}, {"id": "2", "name": "two"}]


def test_corpus_is_large_and_complete() -> None:
    assert len(CASES) >= 45
    for case in CASES:
        assert case.supergraph_path.exists(), case.name
        assert 2 <= len(case.sdls) <= 4, case.name
        assert case.operations, case.name
        for op in case.operations:
            golden = json.loads(case.expected_path(op).read_text())
            assert set(golden) == {
                "http_status",
                "response",
                "subgraph_requests",
                "total_subgraph_requests",
            }, case.expected_path(op)
            assert sorted(golden["subgraph_requests"]) == sorted(case.sdls)
            assert golden["total_subgraph_requests"] == sum(golden["subgraph_requests"].values())
        recorded = {
            p.stem
            for p in (case.path / "expected").glob("*.json")
            if not p.name.endswith(".hive.json")
        }
        assert recorded == {op.name for op in case.operations}, case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_subgraphs_build(case: Any) -> None:
    resolvers = case.build_resolvers()
    assert set(resolvers) <= set(case.sdls)
    for name, sdl in case.sdls.items():
        schema = build_subgraph_schema(sdl, resolvers.get(name, {}))
        assert schema.query_type is not None
        assert "_service" in schema.query_type.fields


def test_entity_union_holds_only_resolvable_keys() -> None:
    schema = build_subgraph_schema(FED2_SDL, {})
    entity = schema.type_map["_Entity"]
    assert [t.name for t in entity.types] == ["Thing"]  # type: ignore[attr-defined]
    assert "link__Import" in schema.type_map
    assert "FieldSet" in schema.type_map


def test_fed1_extensions_become_types() -> None:
    schema = build_subgraph_schema(FED1_SDL, {})
    assert "other" in schema.type_map["Query"].fields  # type: ignore[attr-defined]
    assert "_FieldSet" in schema.type_map
    assert [t.name for t in schema.type_map["_Entity"].types] == ["Thing"]  # type: ignore[attr-defined]


def test_unknown_resolver_targets_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"Thing\.missing"):
        build_subgraph_schema(FED2_SDL, {"Thing.missing": lambda _, __: None})


async def _post(
    session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[int, str]:
    async with session.post(url, json={"query": query, "variables": variables}) as resp:
        return resp.status, await resp.text()


async def test_subgraph_serves_federation_fields_and_counts_requests() -> None:
    server = SubgraphServer(
        "things",
        FED2_SDL,
        {
            "Query.things": lambda _, __: THINGS,
            "Thing": lookup(THINGS, "id"),
        },
    )
    async with serve_asgi(server) as base, aiohttp.ClientSession() as session:
        url = f"{base}/graphql"
        status, text = await _post(session, url, "{ _service { sdl } }")
        assert status == 200
        assert json.loads(text)["data"]["_service"]["sdl"] == FED2_SDL
        query = (
            "query($r: [_Any!]!) { _entities(representations: $r) "
            "{ __typename ... on Thing { id name } } }"
        )
        reps = [{"__typename": "Thing", "id": "2"}, {"__typename": "Thing", "id": "9"}]
        _, text = await _post(session, url, query, {"r": reps})
        assert json.loads(text) == {
            "data": {"_entities": [{"__typename": "Thing", "id": "2", "name": "two"}, None]}
        }
        assert server.count == 2
        server.reset()
        assert server.count == 0


@pytest.mark.parametrize(
    ("mode", "status", "body_start"),
    [
        ("http500", 500, '{"message"'),
        ("nonjson", 200, "<html>"),
        ("graphql_error", 200, '{"data":null,"errors"'),
        ("http400_graphql", 400, '{"errors":[{"message":"query rejected'),
        ("empty_object", 200, "{}"),
    ],
)
async def test_subgraph_fails_on_demand(mode: str, status: int, body_start: str) -> None:
    server = SubgraphServer("things", FED2_SDL, {"Query.things": lambda _, __: THINGS})
    server.reset(mode=mode)
    async with serve_asgi(server) as base, aiohttp.ClientSession() as session:
        got_status, text = await _post(session, f"{base}/graphql", "{ things { id } }")
    assert (got_status, text[: len(body_start)]) == (status, body_start)
    assert server.count == 1


async def test_empty_body_mode_sends_nothing() -> None:
    server = SubgraphServer("things", FED2_SDL, {"Query.things": lambda _, __: THINGS})
    server.reset(mode="empty_body")
    async with serve_asgi(server) as base, aiohttp.ClientSession() as session:
        assert await _post(session, f"{base}/graphql", "{ things { id } }") == (200, "")


async def test_slow_subgraph_still_answers() -> None:
    server = SubgraphServer(
        "things", FED2_SDL, {"Query.things": lambda _, __: THINGS}, slow_seconds=0.05
    )
    server.reset(mode="slow")
    async with serve_asgi(server) as base, aiohttp.ClientSession() as session:
        _, text = await _post(session, f"{base}/graphql", "{ things { id } }")
    assert json.loads(text) == {"data": {"things": [{"id": "1"}, {"id": "2"}]}}


def test_unknown_failure_mode_is_rejected() -> None:
    server = SubgraphServer("things", FED2_SDL, {})
    with pytest.raises(ValueError, match="unknown failure mode"):
        server.reset(mode="explode")


GOLDEN = {
    "data": {"a": 1, "b": [0, {"c": None}]},
    "errors": [
        {"message": "x at 127.0.0.1:PORT", "path": ["b", 1], "extensions": {"code": "E"}},
        {"message": "y", "path": ["a"], "extensions": {"code": "F", "serviceName": "s"}},
    ],
}


def test_compare_accepts_documented_normalisations() -> None:
    actual = {
        "data": {"a": 1.0, "b": [0.0, {"c": None}]},
        "extensions": {"x": 1},
        "errors": [
            {
                "message": "y",
                "path": ["a"],
                "extensions": {"code": "F"},
                "locations": [{"line": 1, "column": 2}],
            },
            {"message": "x at 127.0.0.1:5555", "path": ["b", 1], "extensions": {"code": "E"}},
        ],
    }
    assert differences(actual, GOLDEN) == []


@pytest.mark.parametrize(
    "actual",
    [
        {"data": {"b": [0, {"c": None}], "a": 1}, "errors": GOLDEN["errors"]},  # key order
        {"data": {"a": 1, "b": [0, {"c": 0}]}, "errors": GOLDEN["errors"]},  # value
        {"data": {"a": 1, "b": [0, {"c": None}]}, "errors": GOLDEN["errors"][:1]},  # error missing
        {
            "data": {"a": 1, "b": [0, {"c": None}]},
            "errors": [GOLDEN["errors"][0], {**GOLDEN["errors"][1], "path": ["b"]}],
        },  # path
        {
            "data": {"a": 1, "b": [0, {"c": None}]},
            "errors": [GOLDEN["errors"][0], {**GOLDEN["errors"][1], "extensions": {"code": "G"}}],
        },
        {"errors": GOLDEN["errors"]},  # data key absent
        "not json",
    ],
)
def test_compare_catches_differences(actual: Any) -> None:
    assert differences(actual, GOLDEN) != []


def test_transport_failures_compare_paths_only() -> None:
    expected = {
        "data": None,
        "errors": [
            {
                "message": "500: Internal Server Error",
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ],
    }
    ours = {
        "data": None,
        "errors": [
            {
                "message": "subgraph answered HTTP 500",
                "extensions": {"code": "SUBREQUEST_HTTP_ERROR"},
            }
        ],
    }
    assert differences(ours, expected, ("path",)) == []
    assert (
        differences({**ours, "errors": [*ours["errors"], *ours["errors"]]}, expected, ("path",))
        != []
    )


def test_oracle_bugs_really_differ_from_the_golden() -> None:
    for case in CASES:
        for op in case.operations:
            if op.correct is None:
                continue
            if op.correct_from == "hive":
                assert case.hive_path(op).exists(), f"{case.name}/{op.name}: record.py"
            golden = json.loads(case.expected_path(op).read_text())["response"]
            assert op.oracle_bug, f"{case.name}/{op.name}"
            assert differences(op.correct, golden) != [], f"{case.name}/{op.name}"


def test_known_gaps_name_real_operations() -> None:
    ids = {f"{case.name}/{op.name}" for case in CASES for op in case.operations}
    gaps = known_gaps()
    assert set(gaps) <= ids
    assert all(reason.strip() for reason in gaps.values())


def test_cases_dir_is_where_the_runner_looks() -> None:
    assert CASES_DIR.name == "cases"
    assert all(c.path.parent == CASES_DIR for c in CASES)
