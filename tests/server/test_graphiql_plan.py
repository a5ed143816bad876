"""The plan panel's endpoint: plans as text, every failure as a coded GraphQL error."""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError, parse

from aggregator.server.graphiql_plan import MAX_PLAN_REQUEST_BYTES, plan_response


class Plan:
    def __init__(self, query: str, operation_name: str | None) -> None:
        self.text = f"QueryPlan {{ {operation_name} }}"
        parse(query)

    def __str__(self) -> str:
        return self.text


def planner(query: str, operation_name: str | None) -> Plan:
    return Plan(query, operation_name)


async def async_planner(query: str, operation_name: str | None) -> Plan:
    return Plan(query, operation_name)


def decode(answer: tuple[int, bytes, dict[str, str]]) -> tuple[int, Any]:
    status, body, headers = answer
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    return status, json.loads(body)


def error_code(payload: Any) -> str:
    [error] = payload["errors"]
    return str(error["extensions"]["code"])


async def test_plan_is_printed_text() -> None:
    body = json.dumps({"query": "query A { a }", "operationName": "A"}).encode()
    for plan in (planner, async_planner):
        status, payload = decode(await plan_response(body, plan))
        assert (status, payload) == (200, {"plan": "QueryPlan { A }"})


async def test_missing_operation_name_is_none() -> None:
    body = json.dumps({"query": "{ a }"}).encode()
    _, payload = decode(await plan_response(body, planner))
    assert payload == {"plan": "QueryPlan { None }"}


async def test_bad_bodies_are_bad_requests() -> None:
    for body in (b"", b"not json", b"[1]", b'{"query": 42}', b'{"query": "  "}',
                 b'{"query": "{ a }", "operationName": 1}', b"\xff\xfe"):
        status, payload = decode(await plan_response(body, planner))
        assert status == 400, body
        assert error_code(payload) == "BAD_REQUEST", body


async def test_oversized_body_is_refused_before_parsing() -> None:
    body = b'{"query": "' + b"a" * MAX_PLAN_REQUEST_BYTES + b'"}'
    status, payload = decode(await plan_response(body, planner))
    assert status == 413
    assert error_code(payload) == "PAYLOAD_TOO_LARGE"


async def test_syntax_errors_are_parse_failures() -> None:
    body = json.dumps({"query": "{ a "}).encode()
    status, payload = decode(await plan_response(body, planner))
    assert status == 400
    assert error_code(payload) == "GRAPHQL_PARSE_FAILED"
    assert "Syntax Error" in payload["errors"][0]["message"]


async def test_validation_errors_keep_their_code_or_get_one() -> None:
    def invalid(query: str, operation_name: str | None) -> Plan:
        raise GraphQLError("Cannot query field 'nope' on type 'Query'.")

    def coded(query: str, operation_name: str | None) -> Plan:
        raise GraphQLError("no such operation", extensions={"code": "BAD_USER_INPUT"})

    body = json.dumps({"query": "{ nope }"}).encode()
    status, payload = decode(await plan_response(body, invalid))
    assert (status, error_code(payload)) == (400, "GRAPHQL_VALIDATION_FAILED")
    status, payload = decode(await plan_response(body, coded))
    assert (status, error_code(payload)) == (400, "BAD_USER_INPUT")


async def test_planner_crash_is_a_coded_error_without_internals() -> None:
    def crash(query: str, operation_name: str | None) -> Plan:
        raise RuntimeError("secret internal detail")

    body = json.dumps({"query": "{ a }"}).encode()
    status, payload = decode(await plan_response(body, crash))
    assert status == 500
    assert error_code(payload) == "QUERY_PLANNING_FAILED"
    assert "secret" not in json.dumps(payload)
