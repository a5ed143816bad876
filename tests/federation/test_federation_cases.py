"""Differential conformance: our gateway must answer every case exactly like Apollo Gateway.

For each case and operation (test id ``case/op``) the case's subgraphs run on
loopback, the gateway is built over the case's supergraph with the subgraphs'
URLs, served over real HTTP, and the operation is POSTed. The response must
match the golden recorded from Apollo Gateway (see compare.py for what is
compared), and our gateway may not send more subgraph requests than Apollo did.

Subgraphs and the gateway start once per case and are reused by its operations
(data and counters are reset before every operation). With ``--against-apollo``
the same goldens are replayed against Apollo Gateway itself.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from aggregator.gateway import Gateway
from aggregator.server.app import create_app
from tests.federation.compare import differences
from tests.federation.harness import (
    Case,
    Operation,
    RunningCase,
    apollo_gateway,
    load_cases,
    post_operation,
    run_subgraphs,
)
from tests.support.servers import serve_asgi

CASES = load_cases()
PARAMS = [
    pytest.param(case, op, id=f"{case.name}/{op.name}") for case in CASES for op in case.operations
]


@contextlib.asynccontextmanager
async def our_gateway(case: Case, running: RunningCase) -> AsyncIterator[str]:
    gateway = Gateway.from_supergraph_sdl(
        case.supergraph_path.read_text(), subgraph_urls=running.urls
    )
    try:
        async with serve_asgi(create_app(gateway)) as base:
            yield f"{base}/graphql"
    finally:
        await gateway.close()


class CaseRunner:
    """Keeps one case's subgraphs and gateway alive while its operations run (ids are grouped)."""

    def __init__(self, against_apollo: bool) -> None:
        self.against_apollo = against_apollo
        self.current: str | None = None
        self.stack: contextlib.AsyncExitStack | None = None
        self.running: RunningCase | None = None
        self.url = ""
        self.session: aiohttp.ClientSession | None = None

    async def start(self, case: Case) -> tuple[RunningCase, str]:
        if self.current != case.name:
            await self.stop()
            stack = contextlib.AsyncExitStack()
            self.stack = stack
            self.current = case.name
            self.running = await stack.enter_async_context(run_subgraphs(case))
            gateway = (
                apollo_gateway(case.supergraph_path, self.running.urls)
                if self.against_apollo
                else our_gateway(case, self.running)
            )
            self.url = await stack.enter_async_context(gateway)
        assert self.running is not None
        return self.running, self.url

    async def post(self, op: Operation) -> tuple[int, Any]:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        return await post_operation(self.session, self.url, op)

    async def stop(self) -> None:
        if self.stack is not None:
            stack, self.stack, self.current = self.stack, None, None
            await stack.aclose()

    async def close(self) -> None:
        await self.stop()
        if self.session is not None:
            await self.session.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def runner(request: pytest.FixtureRequest) -> AsyncIterator[CaseRunner]:
    against_apollo = bool(request.config.getoption("--against-apollo", default=False))
    case_runner = CaseRunner(against_apollo)
    try:
        yield case_runner
    finally:
        await case_runner.close()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("case", "op"), PARAMS)
async def test_case(runner: CaseRunner, case: Case, op: Operation) -> None:
    expected = json.loads(case.expected_path(op).read_text())
    running, _url = await runner.start(case)
    running.prepare(op)
    _status, body = await runner.post(op)
    want = expected["response"]
    if op.correct is not None and not runner.against_apollo:
        want = op.correct  # Apollo is wrong here (op.oracle_bug says why)
    problems = differences(body, want, op.error_fields)
    assert not problems, "\n".join(problems)
    total = sum(running.counts().values())
    bound = expected["total_subgraph_requests"]
    if op.max_requests is not None and not runner.against_apollo:
        bound = op.max_requests  # Apollo's count belongs to its wrong answer
    assert total <= bound, (
        f"{total} subgraph requests {running.counts()}, bound {bound}; Apollo needed "
        f"{expected['total_subgraph_requests']} {expected['subgraph_requests']}"
    )
