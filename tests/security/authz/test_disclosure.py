"""The accountability hook: what each operation released that is protected or sensitive."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from aggregator.security.authorization import AuthorizationOptions, Disclosure
from tests.security.authz.conftest import Agency, caller

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_one_disclosure_per_operation_that_released_protected_data(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    records: list[Disclosure] = []
    gateway = agency.gateway(AuthorizationOptions(on_disclosure=records.append))
    query = (
        'query Profile { motd user(id: "1") { username email taxFileNumber medicalNote '
        "reviewCount } }"
    )
    identity = caller("read:email", subject="officer-7", agency="ato", purpose="audit")
    result = await gateway.execute(
        query,
        identity=identity,
        headers={"traceparent": f"00-{CLIENT_TRACE}-00f067aa0ba902b7-01"},
    )
    assert result["data"]["user"]["email"] == "ada@agency.example"
    assert len(records) == 1
    record = records[0]
    assert (record.subject, record.issuer, record.agency, record.purpose) == (
        "officer-7",
        "https://idp.example",
        "ato",
        "audit",
    )
    assert record.operation_name == "Profile"
    assert record.operation_hash == hashlib.sha256(query.encode()).hexdigest()
    # medicalNote was withheld (purpose "audit" is not "treatment"): not released
    assert record.coordinates == ("User.email", "User.taxFileNumber")
    assert record.sensitive == ("User.taxFileNumber",)
    assert record.masked == ("User.taxFileNumber",)
    assert record.subgraphs == ("accounts", "reviews")
    # the trace the client started (W3C traceparent) names the record, tracing SDK or not
    assert record.trace_id == CLIENT_TRACE


async def test_no_disclosure_when_nothing_protected_was_released(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    records: list[Disclosure] = []
    gateway = agency.gateway(AuthorizationOptions(on_disclosure=records.append))
    await gateway.execute('{ motd user(id: "1") { username } }', identity=caller())
    await gateway.execute('{ user(id: "1") { email } }')  # withheld: nothing released
    assert records == []


async def test_an_async_sink_is_awaited_and_its_failure_fails_the_request(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    seen: list[str] = []

    async def sink(disclosure: Disclosure) -> None:
        seen.append(disclosure.coordinates[0])
        if disclosure.subject == "refused":
            raise OSError("disclosure log is full")

    gateway = agency.gateway(AuthorizationOptions(on_disclosure=sink))
    query = '{ user(id: "2") { email } }'
    ok = await gateway.execute(query, identity=caller("read:email"))
    assert ok == {"data": {"user": {"email": "bob@agency.example"}}}
    with pytest.raises(OSError, match="disclosure log is full"):
        await gateway.execute(query, identity=caller("read:email", subject="refused"))
    assert seen == ["User.email", "User.email"]
