"""``aggregator demo-agency NAME``: each demo agency as a process of its own, as compose runs it."""

from __future__ import annotations

import asyncio
import signal

import aiohttp
import pytest

from tests.support.processes import aggregator_process, exit_status
from tests.support.servers import free_port


async def _wait_healthy(session: aiohttp.ClientSession, base: str) -> None:
    for _ in range(400):
        try:
            async with session.get(f"{base}/health") as response:
                if response.status == 200 and await response.json() == {"status": "ok"}:
                    return
        except aiohttp.ClientConnectorError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"{base}/health never answered")


@pytest.mark.parametrize(
    ("agency", "method", "path", "body", "check"),
    [
        (
            "dmv",
            "GET",
            "/v1/vehicles?owner_ids=C0001",
            None,
            lambda answer: answer["vehicles"][0]["registration_number"] == "LGP-645",
        ),
        (
            "tax",
            "GET",
            "/api/returns?citizen=C0001&limit=1",
            None,
            lambda answer: len(answer["results"]) == 1 and answer["count"] > 1,
        ),
        (
            "health",
            "POST",
            "/graphql",
            {"query": "{ _service { sdl } }"},
            lambda answer: "type Citizen" in answer["data"]["_service"]["sdl"],
        ),
    ],
)
async def test_one_agency_serves_its_api_and_health_and_stops_with_exit_0(
    agency: str, method: str, path: str, body: object, check: object
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with (
        aggregator_process("demo-agency", agency, "--port", str(port)) as process,
        aiohttp.ClientSession() as session,
    ):
        await _wait_healthy(session, base)
        async with session.request(method, f"{base}{path}", json=body) as response:
            assert response.status == 200
            assert check(await response.json())  # type: ignore[operator]
        process.send_signal(signal.SIGTERM)
        assert await exit_status(process) == 0
