"""Production mode: no schema disclosure, no backend detail, full detail in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider

from tests.resilience.conftest import QUERY, dmv_gateway
from tests.support.faults import ERRORS

SUBGRAPH_ERRORS = [
    {
        "message": "licence not found (lookup via http://records.dmv.internal:8080/v2 "
        "failed at 10.2.3.4)",
        "path": ["licence"],
        "extensions": {
            "code": "NOT_FOUND",
            "stacktrace": ["Traceback (most recent call last):", '  File "/srv/dmv/app.py"'],
            "exception": {"host": "db-7.agency.internal:5432"},
        },
    }
]


async def test_introspection_is_refused_in_production_and_typename_still_works(
    tmp_path: Path,
) -> None:
    async with dmv_gateway(tmp_path) as served:
        _, schema, _ = await served.post("{ __schema { types { name } } }")
        _, single, _ = await served.post('{ __type(name: "Licence") { name } }')
        _, typename, _ = await served.post("{ __typename }")
    for body in (schema, single):
        assert "data" not in body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INTROSPECTION_DISABLED"]
    assert typename == {"data": {"__typename": "Query"}}


async def test_development_mode_keeps_introspection_and_suggestions(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path, "mode: development\n") as served:
        _, schema, _ = await served.post('{ __type(name: "Licence") { name } }')
        _, typo, _ = await served.post('{ licence(id: "L1") { holdr } }')
    assert schema == {"data": {"__type": {"name": "Licence"}}}
    assert "Did you mean" in typo["errors"][0]["message"]


async def test_introspection_can_be_turned_on_in_production(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path, "server: {introspection: true, document_workers: 0}\n") as s:
        _, schema, _ = await s.post('{ __type(name: "Licence") { name } }')
    assert schema == {"data": {"__type": {"name": "Licence"}}}


async def test_no_suggestions_reveal_the_schema_in_production(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path) as served:
        _, typo, _ = await served.post('{ licence(id: "L1") { holdr } }')
        _, argument, _ = await served.post('{ licence(idd: "L1") { id } }')
    assert typo["errors"][0]["message"] == 'Cannot query field "holdr" on type "Licence".'
    assert "Did you mean" not in str(argument)


@pytest.mark.parametrize(
    ("policy", "message", "extensions"),
    [
        ("generic", "Subgraph errors redacted", {"code": "NOT_FOUND"}),
        (
            "message_and_code",
            "licence not found (lookup via [url] failed at [address])",
            {"code": "NOT_FOUND"},
        ),
    ],
)
async def test_subgraph_errors_are_redacted_by_policy_and_logged_in_full(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    policy: str,
    message: str,
    extensions: dict[str, str],
) -> None:
    async with dmv_gateway(tmp_path, f"subgraph_defaults: {{errors: {policy}}}\n") as served:
        served.subgraph.errors = SUBGRAPH_ERRORS
        served.subgraph.reset(ERRORS)
        tracer = TracerProvider().get_tracer("test")
        with (
            caplog.at_level(logging.WARNING, logger="aggregator.subgraph_errors"),
            tracer.start_as_current_span("client") as span,
        ):
            body = await served.gateway.execute(QUERY)
        trace_id = format(span.get_span_context().trace_id, "032x")
    assert body["data"] == {"licence": None}
    [error] = body["errors"]
    assert error["message"] == message
    assert error["path"] == ["licence"]
    assert error["extensions"] == {**extensions, "serviceName": "dmv"}
    for secret in ("stacktrace", "db-7", "records.dmv.internal", "10.2.3.4", "/srv/dmv"):
        assert secret not in str(body)
    [record] = [r for r in caplog.records if r.name == "aggregator.subgraph_errors"]
    logged = record.getMessage()
    assert f"trace {trace_id}" in logged
    assert "db-7.agency.internal:5432" in logged
    assert "stacktrace" in logged


async def test_pass_through_keeps_the_subgraphs_error_for_development(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path, "subgraph_defaults: {errors: pass_through}\n") as served:
        served.subgraph.errors = SUBGRAPH_ERRORS
        served.subgraph.reset(ERRORS)
        _, body, _ = await served.post(QUERY)
    assert (
        body["errors"][0]["extensions"]["stacktrace"]
        == SUBGRAPH_ERRORS[0]["extensions"]["stacktrace"]
    )


async def test_an_unreachable_subgraph_never_shows_its_address(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path, "subgraph_defaults: {retry: false}\n") as served:
        served.subgraph.reset()
        port = served.subgraph.url.split(":")[2].split("/")[0]
        served.gateway.subgraphs["dmv"].inner.url = "http://127.0.0.1:9/graphql"  # type: ignore[attr-defined]
        _, body, _ = await served.post(QUERY)
    assert body["errors"][0]["message"] == "HTTP fetch failed from 'dmv'"
    for address in ("127.0.0.1", ":9", port):
        assert address not in str(body)
