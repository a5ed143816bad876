"""Every way a subgraph can fail, from a real misbehaving server, through the configured gateway.

Production mode (the default): the client sees the gateway's wording (no backend host,
port or body text), the failing field is null, and the request never becomes a 500.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aggregator.transport.resilience import RetryBudget
from tests.resilience.conftest import LICENCE, MUTATION, QUERY, dmv_gateway
from tests.support.faults import BROKEN, CUT, HANG, HTTP_500, HUGE, OK, RETRY_AFTER

NO_RETRY = "subgraph_defaults: {retry: false, circuit_breaker: false}\n"


def code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


async def test_a_hanging_subgraph_times_out_at_its_configured_timeout(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path, "subgraph_defaults: {timeout_s: 0.3}\n") as served:
        served.subgraph.reset(HANG)
        started = time.monotonic()
        status, body, _ = await served.post(QUERY)
        elapsed = time.monotonic() - started
        assert len(served.subgraph.requests) == 1  # a timeout is not retried
    assert status == 200
    assert body["data"] == {"licence": None}
    assert code(body) == "SUBREQUEST_TIMEOUT"
    assert body["errors"][0]["message"] == "Request to subgraph 'dmv' timed out"
    assert elapsed < 5  # the 0.3 s timeout applied, not the 30 s default


async def test_http_500_is_reported_without_the_backends_body(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path, NO_RETRY) as served:
        served.subgraph.reset(HTTP_500)
        status, body, _ = await served.post(QUERY)
    assert status == 200
    assert body["data"] == {"licence": None}
    assert body["errors"][0]["message"] == "HTTP fetch failed from 'dmv': 500"
    assert body["errors"][0]["extensions"]["http"] == {"status": 500}
    assert "db-7" not in str(body)


async def test_a_body_that_is_not_json_is_a_malformed_response(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path) as served:
        served.subgraph.reset(BROKEN)
        _, body, _ = await served.post(QUERY)
        assert len(served.subgraph.requests) == 1
    assert code(body) == "SUBREQUEST_MALFORMED_RESPONSE"
    assert body["errors"][0]["message"] == "Invalid GraphQL response from 'dmv'"


async def test_a_30_mb_body_is_cut_off_at_the_limit_and_reported_at_the_field(
    tmp_path: Path,
) -> None:
    config = "subgraph_defaults: {max_response_bytes: 1048576}\n"
    async with dmv_gateway(tmp_path, config) as served:
        served.subgraph.reset(HUGE)
        status, body, _ = await served.post(QUERY)
        served.subgraph.reset(OK)
        _, after, _ = await served.post(QUERY)  # the next request is served normally
    assert status == 200
    assert body["data"] == {"licence": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SUBREQUEST_RESPONSE_TOO_LARGE"
    assert error["path"] == ["licence"]
    assert after == {"data": {"licence": LICENCE}}


async def test_a_connection_closed_mid_body_is_retried_for_a_query(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path) as served:
        served.subgraph.reset(OK, CUT)
        status, body, _ = await served.post(QUERY)
        assert len(served.subgraph.requests) == 2
    assert (status, body) == (200, {"data": {"licence": LICENCE}})


async def test_a_mutation_is_never_sent_twice(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path) as served:
        served.subgraph.reset(OK, CUT)
        _, body, _ = await served.post(MUTATION)
        assert len(served.subgraph.requests) == 1
    assert body["data"] == {"renewLicence": None}
    assert code(body) == "SUBREQUEST_HTTP_ERROR"
    assert body["errors"][0]["message"] == "HTTP fetch failed from 'dmv'"  # no aiohttp text


async def test_the_circuit_opens_after_failures_and_closes_after_a_good_probe(
    tmp_path: Path,
) -> None:
    config = (
        "subgraph_defaults: {retry: false, circuit_breaker: {failure_threshold: 3, open_s: 0.5}}\n"
    )
    async with dmv_gateway(tmp_path, config) as served:
        served.subgraph.reset(HTTP_500)
        for _ in range(3):
            _, body, _ = await served.post(QUERY)
            assert code(body) == "SUBREQUEST_HTTP_ERROR"
        _, refused, _ = await served.post(QUERY)  # open: the subgraph is not asked
        assert len(served.subgraph.requests) == 3
        assert code(refused) == "SUBREQUEST_CIRCUIT_OPEN"
        assert refused["data"] == {"licence": None}
        served.subgraph.reset(OK)
        await asyncio.sleep(0.6)  # past open_s: the next request is the probe
        _, probe, _ = await served.post(QUERY)
        _, after, _ = await served.post(QUERY)
        assert len(served.subgraph.requests) == 2
    assert probe == after == {"data": {"licence": LICENCE}}


async def test_a_failed_probe_opens_the_circuit_again(tmp_path: Path) -> None:
    config = (
        "subgraph_defaults: {retry: false, circuit_breaker: {failure_threshold: 1, open_s: 0.3}}\n"
    )
    async with dmv_gateway(tmp_path, config) as served:
        served.subgraph.reset(HTTP_500)
        await served.post(QUERY)
        await asyncio.sleep(0.4)
        await served.post(QUERY)  # the probe fails
        _, body, _ = await served.post(QUERY)
        assert len(served.subgraph.requests) == 2
    assert code(body) == "SUBREQUEST_CIRCUIT_OPEN"


async def test_retry_after_is_waited_out_before_the_retry(tmp_path: Path) -> None:
    async with dmv_gateway(tmp_path) as served:
        served.subgraph.retry_after_s = 1
        served.subgraph.reset(OK, RETRY_AFTER)
        _, body, _ = await served.post(QUERY)
        first, second = served.subgraph.times
    assert body == {"data": {"licence": LICENCE}}
    assert second - first >= 0.95  # not the 50 ms backoff: the subgraph's own delay


async def test_a_long_retry_after_fails_at_once_and_holds_other_requests_back(
    tmp_path: Path,
) -> None:
    config = "subgraph_defaults: {retry: {max_retry_after_s: 0.5}}\n"
    async with dmv_gateway(tmp_path, config) as served:
        served.subgraph.retry_after_s = 30
        served.subgraph.reset(OK, RETRY_AFTER)
        _, body, _ = await served.post(QUERY)
        _, held, _ = await served.post(QUERY)
        assert len(served.subgraph.requests) == 1
    assert body["errors"][0]["extensions"]["http"] == {"status": 503}
    assert held["data"] == {"licence": None}
    assert code(held) == "SUBREQUEST_HTTP_ERROR"


def test_the_retry_budget_earns_retries_from_requests() -> None:
    budget = RetryBudget(ratio=0.5, min_per_s=0.0, cap=2.0)
    assert budget.withdraw()
    assert budget.withdraw()
    assert not budget.withdraw()  # spent: no more retries until requests earn some
    budget.deposit()
    assert not budget.withdraw()  # half a retry
    budget.deposit()
    assert budget.withdraw()
