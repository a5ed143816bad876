"""Filter, reject and dry-run modes; plans cached by granted requirements, never by caller."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

import aggregator.gateway as gateway_module
from aggregator.config import AuthorizationMode
from aggregator.gateway import RequestError
from aggregator.security.authorization import AuthorizationOptions, Authorizer
from tests.security.authz.conftest import Agency, caller
from tests.security.authz.test_enforcement import unauthorized

QUERY = '{ motd user(id: "2") { username email phone } }'


async def test_reject_mode_refuses_the_whole_operation(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """Apollo's ``reject_unauthorized``: nothing is executed, every withheld path is listed
    (Apollo Router's path shape: response keys, ``@`` for list items)."""
    gateway = agency.gateway(AuthorizationOptions(mode=AuthorizationMode.REJECT))
    prepared = gateway.prepare(QUERY, None, None)
    with pytest.raises(RequestError) as raised:
        await gateway.run(prepared, None, caller())
    assert raised.value.status == 403
    assert raised.value.errors == [unauthorized("user", "email")]
    assert await gateway.execute("{ members { phone } }") == {
        "errors": [unauthorized("members", "@", "phone")]
    }
    assert agency.all_queries() == ""
    # nothing withheld: executed as usual
    result = await gateway.execute(QUERY, identity=caller("read:email"))
    assert result["data"]["user"]["email"] == "bob@agency.example"


async def test_dry_run_withholds_nothing_and_logs_what_it_would(
    agency: Agency, fresh: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    gateway = agency.gateway(AuthorizationOptions(mode=AuthorizationMode.DRY_RUN))
    with caplog.at_level(logging.WARNING, logger="aggregator.authorization"):
        result = await gateway.execute(QUERY)
    assert result == {
        "data": {
            "motd": "welcome",
            "user": {"username": "bob", "email": "bob@agency.example", "phone": "0400 000 002"},
        }
    }
    assert agency.queries("accounts") == ['query{motd user(id: "2"){username email phone}}']
    messages = [r.getMessage() for r in caplog.records if "dry run" in r.getMessage()]
    assert messages == [
        "authorization dry run: operation (anonymous) for an anonymous caller would withhold "
        "user/email, user/phone"
    ]


def _count_plans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    original = gateway_module.plan_normalized

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(gateway_module, "plan_normalized", counted)
    return calls


async def test_plans_are_keyed_by_grants_not_by_caller(
    agency: Agency, fresh: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = _count_plans(monkeypatch)
    gateway = agency.gateway()
    with_email = [
        caller("read:email", subject=s, agency=a) for s, a in (("a", "ato"), ("b", "dmv"))
    ]
    # an unrelated scope does not change what this operation may see
    with_email.append(caller("read:email", "unrelated", subject="c"))
    without = [caller(subject="d"), caller("tax:unmask", subject="e")]
    for identity in with_email + without:
        result = await gateway.execute(QUERY, identity=identity)
        email = result["data"]["user"]["email"]
        assert email == ("bob@agency.example" if identity in with_email else None)
    assert plans[0] == 2
    info = gateway.prepare(QUERY, None, None).info
    grant_keys = [key[2] for key in info.plans if key[0] != "normalized"]
    assert sorted(sorted(k) for k in grant_keys) == [
        [("authenticated", "")],
        [("authenticated", ""), ("scope", "read:email")],
    ]
    # anonymous callers are a third grant set
    await gateway.execute(QUERY)
    assert plans[0] == 3


async def test_operations_touching_no_requirement_pay_nothing(
    agency: Agency, fresh: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    decisions = [0]
    original = Authorizer.decide

    async def counted(self: Authorizer, *args: Any, **kwargs: Any) -> Any:
        decisions[0] += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(Authorizer, "decide", counted)
    plans = _count_plans(monkeypatch)
    gateway = agency.gateway()
    for identity in (None, caller("a"), caller("b", subject="x")):
        result = await gateway.execute('{ motd user(id: "1") { username } }', identity=identity)
        assert result == {"data": {"motd": "welcome", "user": {"username": "ada"}}}
    assert decisions[0] == 0
    assert plans[0] == 1


async def test_supergraph_without_directives_has_no_authorizer() -> None:
    from tests.gateway.conftest import SUPERGRAPH

    gateway = gateway_module.Gateway.from_supergraph_sdl(SUPERGRAPH)
    assert gateway.authorizer is None
    await gateway.close()
