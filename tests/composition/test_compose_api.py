"""Behaviour of the ``compose`` API beyond the recorded Apollo comparisons."""

from __future__ import annotations

import importlib
import json

import pytest
from graphql import build_ast_schema, parse

from aggregator.composition import (
    CompositionErrorCode,
    CompositionFailure,
    CompositionHintCode,
    CompositionSuccess,
    SubgraphSource,
    compose,
)
from tests.composition.semantic import differences
from tests.composition.test_differential import CASES, INVALID, VALID, _sources

FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


def _ok(sources: list[SubgraphSource]) -> CompositionSuccess:
    result = compose(sources)
    assert isinstance(result, CompositionSuccess), result
    return result


def _fail(sources: list[SubgraphSource]) -> CompositionFailure:
    result = compose(sources)
    assert isinstance(result, CompositionFailure), "composition unexpectedly succeeded"
    return result


@pytest.mark.parametrize("case", VALID)
def test_supergraph_is_a_valid_graphql_schema(case: str) -> None:
    schema = build_ast_schema(parse(_ok(_sources(case)).supergraph_sdl))
    assert schema.query_type is not None
    assert schema.get_type("join__Graph") is not None


def test_output_is_deterministic_and_independent_of_source_order() -> None:
    sources = _sources("entity_across_three_with_requires_and_provides")
    first = _ok(sources).supergraph_sdl
    assert _ok(sources).supergraph_sdl == first
    assert differences(_ok(list(reversed(sources))).supergraph_sdl, first) == []


def test_failure_carries_every_error_with_type_field_and_subgraphs() -> None:
    errors = _fail(_sources("err_multiple_problems")).errors
    by_coordinate = {e.coordinate: e for e in errors}
    assert {"T.x", "T.y"} <= set(by_coordinate)
    mismatch = by_coordinate["T.x"]
    assert mismatch.code == CompositionErrorCode.FIELD_TYPE_MISMATCH
    assert '"T.x"' in mismatch.message
    assert '"a"' in mismatch.message
    assert '"b"' in mismatch.message
    assert sum(e.code == CompositionErrorCode.ENUM_VALUE_MISMATCH for e in errors) == 2


def test_syntax_error_names_the_subgraph() -> None:
    (error,) = _fail(
        [
            SubgraphSource("good", "http://good", FED + "type Query { a: Int }"),
            SubgraphSource("broken", "http://broken", "type Query { a: "),
        ]
    ).errors
    assert error.code == CompositionErrorCode.INVALID_GRAPHQL
    assert error.subgraph == "broken"
    assert error.message.startswith("[broken] Syntax Error")


def test_subgraph_errors_are_reported_per_subgraph_with_coordinates() -> None:
    errors = _fail(_sources("err_requires_invalid_fields")).errors
    assert {(e.code, e.subgraph, e.coordinate) for e in errors} == {
        (CompositionErrorCode.REQUIRES_INVALID_FIELDS, "a", "User.cost"),
        (CompositionErrorCode.EXTERNAL_UNUSED, "a", "User.weight"),
    }


def test_duplicate_subgraph_names_are_rejected() -> None:
    sdl = FED + "type Query { a: Int }"
    errors = _fail([SubgraphSource("x", "http://1", sdl), SubgraphSource("x", "http://2", sdl)])
    assert [e.code for e in errors.errors] == [CompositionErrorCode.INVALID_SUBGRAPH_NAME]


def test_dropped_input_enum_values_are_hinted() -> None:
    hints = _ok(_sources("enum_input_intersection")).hints
    dropped = {
        h.coordinate
        for h in hints
        if h.code == CompositionHintCode.INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM
    }
    assert dropped == {"Status.INACTIVE", "Status.PENDING"}


def test_subgraph_urls_and_graph_names_reach_the_supergraph() -> None:
    sdl = _ok(
        [
            SubgraphSource(
                "tax-office", "http://127.0.0.1:9001/graphql", FED + "type Query { rate: Float }"
            ),
            SubgraphSource(
                "2fa", "http://127.0.0.1:9002/graphql", FED + "type Query { on: Boolean }"
            ),
        ]
    ).supergraph_sdl
    assert (
        'TAX_OFFICE @join__graph(name: "tax-office", url: "http://127.0.0.1:9001/graphql")' in sdl
    )
    assert '_2FA @join__graph(name: "2fa", url: "http://127.0.0.1:9002/graphql")' in sdl


@pytest.mark.parametrize("case", INVALID)
def test_recorded_error_codes_are_all_in_the_registry(case: str) -> None:
    expected = json.loads((CASES / case / "expected-errors.json").read_text())
    for error in expected:
        assert error["code"] in CompositionErrorCode.__members__


def test_a_bug_in_a_stage_is_returned_as_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    stages = importlib.import_module("aggregator.composition.compose")
    monkeypatch.setattr(stages, "check_satisfiability", broken)
    (error,) = _fail(_sources("basic")).errors
    assert error.code == CompositionErrorCode.INTERNAL_COMPOSITION_ERROR
    assert "RuntimeError: boom" in error.message


MALFORMED = [
    "",
    FED + "type Query { a: A } type A @key(fields: 123) { id: ID }",
    FED + "type Query { a: A } type A @key { id: ID }",
    FED + 'type Query { a: A } type A @key(fields: "id {") { id: ID }',
    FED + 'type Query { a: A } type A @key(fields: "") { id: ID }',
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: 5}])\n'
    "type Query { a: Int }",
    FED + "query { a }",
    FED + "type Query { a: [[[A!]]] } union A = B | C type B { x: Int }",
    FED + 'type Query { a(x: Int = "str"): Int }',
    FED + "interface I implements I { a: Int } type Query { i: I }",
]


@pytest.mark.parametrize("sdl", MALFORMED)
def test_malformed_subgraphs_are_rejected_with_a_registered_code(sdl: str) -> None:
    errors = _fail(
        [
            SubgraphSource("bad", "http://bad", sdl),
            SubgraphSource("good", "http://good", FED + "type Query { ok: Int }"),
        ]
    ).errors
    assert errors
    for error in errors:
        assert error.code in CompositionErrorCode.__members__.values()
        assert error.code != CompositionErrorCode.INTERNAL_COMPOSITION_ERROR
        assert "bad" in error.message
