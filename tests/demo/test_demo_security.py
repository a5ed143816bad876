"""Issue 9's "done when", against `aggregator demo` run as a user runs it.

The demo is a real process (its own agencies, its own port); tokens come from
`aggregator token`, the command a developer uses. Anonymous callers get no tax
data, a `tax:read` token gets it, a `health:read` token does not, and any token
whose signature or claims were altered, or whose alg is none, is refused with 401.
Every release of protected data lands in the hash-chained disclosure log, which
`aggregator audit verify` accepts.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.gateway_process import GatewayProcess, gateway, run_command

QUERY = """
query Overview {
  citizen(id: "C0001") {
    fullName
    taxReturns(first: 2) { totalCount edges { node { financialYear taxableIncome } } }
    immunisations { vaccineName }
    drivingLicence { number }
  }
}
"""


@pytest.fixture(scope="module")
def disclosure_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "disclosures.log"


@pytest.fixture(scope="module")
async def demo(disclosure_log: Path) -> AsyncIterator[GatewayProcess]:
    async with gateway(
        "--port", "0", "--disclosure-log", str(disclosure_log), command="demo"
    ) as running:
        yield running


def token(*args: str) -> str:
    done = run_command("token", "--subject", "tester", "--agency", "tax", *args)
    assert done.code == 0, done.stderr
    return done.stdout.strip()


async def ask(demo: GatewayProcess, bearer: str | None) -> tuple[int, dict[str, Any], str]:
    headers = {"authorization": f"Bearer {bearer}"} if bearer is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(demo.graphql_url, json={"query": QUERY}, headers=headers) as response,
    ):
        return (
            response.status,
            await response.json(content_type=None),
            response.headers.get("www-authenticate", ""),
        )


def unauthorized_paths(body: dict[str, Any]) -> list[list[Any]]:
    return [
        e["path"]
        for e in body.get("errors", [])
        if e["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
    ]


async def test_anonymous_callers_get_no_tax_data(demo: GatewayProcess) -> None:
    status, body, _ = await ask(demo, None)
    assert status == 200
    citizen = body["data"]["citizen"]
    assert citizen["fullName"]  # public data is served
    assert citizen["taxReturns"] is None
    assert citizen["immunisations"] is None
    assert sorted(unauthorized_paths(body)) == [
        ["citizen", "immunisations"],
        ["citizen", "taxReturns"],
    ]
    # the licence number is masked to its last four characters for callers without the scope
    number = citizen["drivingLicence"]["number"]
    assert len(number) > 4
    assert set(number[:-4]) == {"*"}, number
    assert number[-4:].isalnum()


async def test_a_tax_read_token_gets_tax_data(demo: GatewayProcess) -> None:
    status, body, _ = await ask(demo, token("--scope", "tax:read"))
    assert status == 200
    citizen = body["data"]["citizen"]
    assert citizen["taxReturns"]["totalCount"] > 0
    assert citizen["taxReturns"]["edges"][0]["node"]["financialYear"]
    assert unauthorized_paths(body) == [["citizen", "immunisations"]]


async def test_a_health_read_token_gets_no_tax_data(demo: GatewayProcess) -> None:
    status, body, _ = await ask(demo, token("--scope", "health:read"))
    assert status == 200
    citizen = body["data"]["citizen"]
    assert citizen["taxReturns"] is None
    assert citizen["immunisations"]
    assert unauthorized_paths(body) == [["citizen", "taxReturns"]]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def altered_tokens() -> dict[str, str]:
    good = token("--scope", "tax:read")
    header, payload, signature = good.split(".")
    claims = json.loads(_unb64(payload))
    more = _b64(json.dumps({**claims, "scope": "tax:read health:read"}).encode())
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    none_header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return {
        "signature altered": f"{header}.{payload}.{flipped}",
        "claims altered": f"{header}.{more}.{signature}",
        "alg none": f"{none_header}.{payload}.",
        "alg none, no signature part": f"{none_header}.{payload}",
    }


@pytest.mark.parametrize("case", sorted(altered_tokens()))
async def test_altered_tokens_are_refused(demo: GatewayProcess, case: str) -> None:
    status, body, challenge = await ask(demo, altered_tokens()[case])
    assert status == 401
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert 'error="invalid_token"' in challenge


def records(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


async def test_releases_are_in_a_verifiable_disclosure_log(
    demo: GatewayProcess, disclosure_log: Path
) -> None:
    await ask(demo, token("--scope", "tax:read", "--purpose", "audit-test"))
    log = disclosure_log
    lines = records(log)
    released = [r for r in lines if r.get("kind") == "disclosure"]
    assert released, lines
    last = released[-1]
    assert last["subject"] == "tester"
    assert last["agency"] == "tax"
    assert last["purpose"] == "audit-test"
    assert last["operation_name"] == "Overview"
    assert "Citizen.taxReturns" in last["coordinates"]  # protected, released
    assert "DrivingLicence.number" in last["coordinates"]  # sensitive, released masked
    verified = run_command("audit", "verify", str(log))
    assert verified.code == 0, verified.stdout + verified.stderr


PAGE = """
query Page($after: String) {
  citizen(id: "C0001") {
    taxReturns(first: 2, after: $after) { edges { cursor node { financialYear } } }
  }
}
"""


async def page(
    demo: GatewayProcess, bearer: str, after: str | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            demo.graphql_url,
            json={"query": PAGE, "variables": {"after": after}},
            headers={"authorization": f"Bearer {bearer}"},
        ) as response,
    ):
        body = await response.json()
    connection = (body.get("data") or {}).get("citizen", {}).get("taxReturns") or {}
    edges = connection.get("edges") or []
    return [e["cursor"] for e in edges], body.get("errors", [])


async def test_a_page_cursor_does_not_cross_callers_or_agencies(demo: GatewayProcess) -> None:
    """Cursors are bound to the caller who got them: same scopes, another person or
    another agency presenting one is refused (BAD_USER_INPUT), the owner pages on."""
    alice = run_command("token", "--subject", "alice", "--agency", "tax", "--scope", "tax:read")
    bob = run_command("token", "--subject", "bob", "--agency", "tax", "--scope", "tax:read")
    other = run_command("token", "--subject", "alice", "--agency", "dmv", "--scope", "tax:read")
    alice_t, bob_t, other_t = (done.stdout.strip() for done in (alice, bob, other))
    cursors, errors = await page(demo, alice_t)
    assert len(cursors) == 2
    assert errors == []
    following, errors = await page(demo, alice_t, cursors[-1])
    assert following
    assert following[0] not in cursors
    assert errors == []
    for stranger in (bob_t, other_t):
        taken, errors = await page(demo, stranger, cursors[-1])
        assert taken == []
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
