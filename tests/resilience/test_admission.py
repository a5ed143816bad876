"""Admission: a cap on requests in flight (503 + Retry-After) and an overall deadline (504)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.resilience.conftest import QUERY, dmv_gateway
from tests.support.faults import HANG


async def test_past_the_concurrency_cap_requests_get_503_with_retry_after(
    tmp_path: Path,
) -> None:
    config = (
        "server: {max_concurrent_requests: 2, document_workers: 0}\n"
        "subgraph_defaults: {timeout_s: 2, retry: false}\n"
    )
    async with dmv_gateway(tmp_path, config) as served:
        served.subgraph.reset(HANG)
        # different documents: identical ones would share one subgraph request
        held = [
            asyncio.create_task(served.post(f'{{ {a}: licence(id: "L1") {{ id }} }}'))
            for a in ("a", "b")
        ]
        while len(served.subgraph.requests) < 2:  # noqa: ASYNC110 - both are in flight
            await asyncio.sleep(0.01)
        status, body, headers = await served.post(QUERY)
        assert len(served.subgraph.requests) == 2
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)
    assert status == 503
    assert headers["retry-after"] == "1"
    assert body["errors"][0]["extensions"]["code"] == "SERVER_OVERLOADED"


async def test_a_request_past_its_deadline_is_answered_504(tmp_path: Path) -> None:
    config = (
        "server: {request_timeout_s: 0.3, document_workers: 0}\n"
        "subgraph_defaults: {timeout_s: 30}\n"
    )
    async with dmv_gateway(tmp_path, config) as served:
        served.subgraph.reset(HANG)
        status, body, _ = await served.post(QUERY, {"accept": "application/graphql-response+json"})
        assert len(served.subgraph.requests) == 1
    assert status == 504
    assert body["errors"][0]["extensions"]["code"] == "GATEWAY_TIMEOUT"
    assert body["errors"][0]["message"] == (
        "The request took longer than the gateway's deadline of 0.3s."
    )
