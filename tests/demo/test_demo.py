"""The four-agency walk-through through the gateway over HTTP, held to Apollo's answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aggregator.demo.app import serve_demo
from aggregator.demo.backends import dmv, tax
from aggregator.security import Identity
from tests.demo.walkthrough import EVERY_GRANT, QUERIES, as_anonymous, comparable
from tests.support.servers import free_port

GOLDEN = Path(__file__).parent / "golden"

# The demo has no authentication wired in yet: a caller holding every grant is made here.
OFFICER = Identity(subject="officer-1", issuer="test", agency="demo", scopes=EVERY_GRANT)


async def _post(session: aiohttp.ClientSession, url: str, query: str, variables: Any) -> Any:
    async with session.post(
        f"{url}/graphql", json={"query": query, "variables": variables}
    ) as response:
        return await response.json()


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_walkthrough_matches_apollo_gateway(name: str) -> None:
    """A caller holding every grant gets exactly Apollo Gateway's answer; an anonymous one
    over HTTP gets it minus what the demo withholds (null and an error) and masks."""
    query, variables = QUERIES[name]
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    async with serve_demo() as demo, aiohttp.ClientSession() as session:
        granted = await demo.gateway.execute(query, variables, identity=OFFICER)
        anonymous = await _post(session, demo.url, query, variables)
    assert comparable(granted) == expected
    assert comparable(anonymous) == as_anonymous(expected)


async def test_many_citizens_cost_one_batched_call_per_endpoint() -> None:
    query, variables = QUERIES["many_citizens"]
    async with serve_demo() as demo, aiohttp.ClientSession() as session:
        body = await demo.gateway.execute(query, variables, identity=OFFICER)
        assert "errors" not in body
        assert len(body["data"]["citizens"]) == 25
        assert demo.agencies.backend_apps["dmv"][dmv.CALLS] == {"vehicles": 1, "licences": 1}
        assert demo.agencies.backend_apps["tax"][tax.CALLS]["returns"] == 2 * 25
        # an anonymous caller's request never reaches the tax agency at all
        body = await _post(session, demo.url, query, variables)
        assert all(c["taxReturns"] is None for c in body["data"]["citizens"])
        assert demo.agencies.backend_apps["dmv"][dmv.CALLS] == {"vehicles": 2, "licences": 2}
        assert demo.agencies.backend_apps["tax"][tax.CALLS]["returns"] == 2 * 25


async def test_tax_returns_page_by_page_through_the_gateway() -> None:
    query = """query($after: String) { citizen(id: "C0001") {
      taxReturns(first: 4, after: $after) { edges { node { financialYear } }
        pageInfo { hasNextPage endCursor } } } }"""
    seen: list[str] = []
    after = None
    async with serve_demo() as demo:
        for _ in range(20):
            body = await demo.gateway.execute(query, {"after": after}, identity=OFFICER)
            connection = body["data"]["citizen"]["taxReturns"]
            seen += [e["node"]["financialYear"] for e in connection["edges"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        tampered = await demo.gateway.execute(query, {"after": after[:-2] + "AA"}, identity=OFFICER)
    assert seen[0] == "2024-25"
    assert len(seen) == len(set(seen)) > 4
    assert tampered["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_demo_command_serves_graphiql_and_the_walkthrough() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first == f"GraphiQL: http://127.0.0.1:{port}/graphql"
        query, variables = QUERIES["citizen_overview"]
        request = json.dumps({"query": query, "variables": variables}).encode()
        post = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=request,
            headers={"content-type": "application/json", "accept": "application/json"},
        )
        with urllib.request.urlopen(post, timeout=30) as response:
            body = json.loads(response.read())
        expected = json.loads((GOLDEN / "citizen_overview.json").read_text())
        assert comparable(body) == as_anonymous(expected)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == 0
