"""``@policy`` with both engines: embedded Python functions and OPA's Data API.

OPA is a real HTTP server on loopback speaking OPA's wire format (tests/security/authz/opa.py);
every failure of an engine (down, slow, wrong answer) withholds what needed it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from aggregator.demo.serving import serve_aiohttp
from aggregator.security.authorization import AuthorizationOptions
from aggregator.security.policies import EmbeddedPolicyEngine, OpaPolicyEngine, PolicyEngine
from tests.security.authz import policies
from tests.security.authz.conftest import Agency, caller
from tests.security.authz.opa import POLICY_PATH, FakeOpa
from tests.security.authz.test_enforcement import unauthorized
from tests.support.servers import free_port

CARD = '{ user(id: "1") { username creditCard } }'
LOYALTY = '{ user(id: "1") { loyalty } }'
POLICY_FAILED = {
    "message": "Authorization policies could not be evaluated; the fields that need them were "
    "withheld.",
    "extensions": {"code": "POLICY_EVALUATION_FAILED"},
}


def embedded(**overrides: Callable[..., object]) -> EmbeddedPolicyEngine:
    functions = {
        "read_credit_card": policies.read_credit_card,
        "member": policies.member,
        "staff": policies.staff,
        "loyalty_desk": policies.loyalty_desk,
    }
    functions.update(overrides)
    return EmbeddedPolicyEngine(functions)


@contextlib.asynccontextmanager
async def opa_server() -> AsyncIterator[tuple[FakeOpa, str]]:
    opa = FakeOpa()
    async with serve_aiohttp(opa.app()) as url:
        yield opa, url


async def check_policy_decisions(agency: Agency, engine: PolicyEngine) -> None:
    gateway = agency.gateway(AuthorizationOptions(policy_engine=engine))
    billing = await gateway.execute(CARD, identity=caller(agency="billing"))
    assert billing == {"data": {"user": {"username": "ada", "creditCard": "1111"}}}
    # arguments reach the policy: asking for more than 4 digits is refused
    wider = await gateway.execute(
        '{ user(id: "1") { creditCard(last: 8) } }', identity=caller(agency="billing")
    )
    assert wider == {
        "errors": [unauthorized("user", "creditCard")],
        "data": {"user": {"creditCard": None}},
    }
    other = await gateway.execute(CARD, identity=caller(agency="ato"))
    assert other == {
        "errors": [unauthorized("user", "creditCard")],
        "data": {"user": {"username": "ada", "creditCard": None}},
    }
    anonymous = await gateway.execute(CARD)
    assert anonymous["data"] == {"user": {"username": "ada", "creditCard": None}}
    # [["member"], ["staff", "loyalty_desk"]]: OR of ANDs over policies too
    cases = [
        (caller(membership="active"), True),
        (caller(roles=["staff"]), False),
        (caller(roles=["staff"], purpose="loyalty"), True),
        (caller(purpose="loyalty"), False),
    ]
    for identity, allowed in cases:
        result = await gateway.execute(LOYALTY, identity=identity)
        expected = "gold" if allowed else None
        assert result["data"] == {"user": {"loyalty": expected}}, identity


async def test_embedded_engine(agency: Agency, fresh: Callable[[], None]) -> None:
    await check_policy_decisions(agency, embedded())
    queries = agency.queries("accounts")
    assert queries[0] == 'query{user(id: "1"){username creditCard}}'
    assert queries[1] == 'query{user(id: "1"){__typename}}'  # nothing else was asked


async def test_opa_engine_one_batched_call_per_operation(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    async with opa_server() as (opa, url):
        engine = OpaPolicyEngine(url, POLICY_PATH)
        await check_policy_decisions(agency, engine)
        gateway = agency.gateway(AuthorizationOptions(policy_engine=engine))
        opa.inputs.clear()
        query = """
          query Both($n: Int) { user(id: "1") { creditCard(last: $n) loyalty } }
        """
        identity = caller(agency="billing", purpose="loyalty", membership="active")
        result = await gateway.execute(query, {"n": 2}, identity=identity)
        assert result == {"data": {"user": {"creditCard": "11", "loyalty": "gold"}}}
        assert len(opa.inputs) == 1  # every policy of the operation, decided together
        sent = opa.inputs[0]
        assert sent["policies"] == ["loyalty_desk", "member", "read_credit_card", "staff"]
        assert sent["operation"] == {"name": "Both", "type": "query"}
        assert sent["subject"] == "u-1"
        assert sent["agency"] == "billing"
        assert sent["purpose"] == "loyalty"
        assert sent["claims"] == {"sub": "u-1", "membership": "active"}
        assert sorted(sent["fields"], key=lambda f: f["coordinate"]) == [
            {
                "coordinate": "User.creditCard",
                "arguments": {"last": 2},
                "policies": ["read_credit_card"],
            },
            {
                "coordinate": "User.loyalty",
                "arguments": {},
                "policies": ["loyalty_desk", "member", "staff"],
            },
        ]
        await engine.close()


async def test_operations_without_policies_never_call_the_engine(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    async with opa_server() as (opa, url):
        engine = OpaPolicyEngine(url, POLICY_PATH)
        gateway = agency.gateway(AuthorizationOptions(policy_engine=engine))
        await gateway.execute('{ motd user(id: "1") { username email } }', identity=caller())
        assert opa.inputs == []
        await engine.close()


async def _denied_with_error(agency: Agency, engine: PolicyEngine, timeout_s: float = 1.0) -> None:
    gateway = agency.gateway(AuthorizationOptions(policy_engine=engine, policy_timeout_s=timeout_s))
    result = await gateway.execute(CARD, identity=caller(agency="billing"))
    assert result == {
        "errors": [POLICY_FAILED, unauthorized("user", "creditCard")],
        "data": {"user": {"username": "ada", "creditCard": None}},
    }
    assert all("creditCard" not in q for q in agency.queries("accounts"))


async def test_opa_down_denies(agency: Agency, fresh: Callable[[], None]) -> None:
    engine = OpaPolicyEngine(f"http://127.0.0.1:{free_port()}", POLICY_PATH)
    await _denied_with_error(agency, engine)
    await engine.close()


async def test_opa_timeout_denies(agency: Agency, fresh: Callable[[], None]) -> None:
    async with opa_server() as (opa, url):
        opa.delay_s = 2.0
        engine = OpaPolicyEngine(url, POLICY_PATH)
        await _denied_with_error(agency, engine, timeout_s=0.2)
        await engine.close()


@pytest.mark.parametrize("breakage", ["wrong_path", "server_error", "bad_document"])
async def test_opa_unusable_answers_deny(
    agency: Agency, fresh: Callable[[], None], breakage: str
) -> None:
    async with opa_server() as (opa, url):
        path = POLICY_PATH
        if breakage == "wrong_path":
            path = "aggregator/typo"  # OPA answers {} for an undefined document
        elif breakage == "server_error":
            opa.status = 500
        else:
            opa.answer = "allow"
        engine = OpaPolicyEngine(url, path)
        await _denied_with_error(agency, engine)
        await engine.close()


async def test_opa_list_of_granted_policies(agency: Agency, fresh: Callable[[], None]) -> None:
    async with opa_server() as (opa, url):
        opa.answer = ["read_credit_card"]
        engine = OpaPolicyEngine(url, POLICY_PATH)
        gateway = agency.gateway(AuthorizationOptions(policy_engine=engine))
        result = await gateway.execute(CARD, identity=caller())
        assert result == {"data": {"user": {"username": "ada", "creditCard": "1111"}}}
        await engine.close()


@pytest.mark.parametrize("function", [policies.broken, policies.slow])
async def test_embedded_failures_deny(
    agency: Agency, fresh: Callable[[], None], function: Callable[..., object]
) -> None:
    await _denied_with_error(agency, embedded(read_credit_card=function), timeout_s=0.2)


async def test_embedded_only_true_grants(agency: Agency, fresh: Callable[[], None]) -> None:
    engine = embedded(read_credit_card=policies.truthy_but_not_true)
    gateway = agency.gateway(AuthorizationOptions(policy_engine=engine))
    result = await gateway.execute(CARD, identity=caller(agency="billing"))
    assert result["data"] == {"user": {"username": "ada", "creditCard": None}}


async def test_no_engine_denies_every_policy(agency: Agency, fresh: Callable[[], None]) -> None:
    gateway = agency.gateway()
    result = await gateway.execute(CARD, identity=caller(agency="billing"))
    assert result == {
        "errors": [POLICY_FAILED, unauthorized("user", "creditCard")],
        "data": {"user": {"username": "ada", "creditCard": None}},
    }
