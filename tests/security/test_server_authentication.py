"""How the server applies authentication: every GraphQL route, anonymous callers, purpose."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from aggregator.config.auth_model import ScopeSource
from aggregator.gateway import Gateway
from aggregator.security.identity import Identity
from tests.security.conftest import ANSWER, QUERY, AuthStack, auth_stack


class _Spy:
    """Records the identity each run gets (wraps the real gateway's run)."""

    def __init__(self, gateway: Gateway) -> None:
        self.seen: list[Identity | None] = []
        original = gateway.run

        async def run(prepared, headers=None, identity=None):  # type: ignore[no-untyped-def]
            self.seen.append(identity)
            return await original(prepared, headers, identity)

        gateway.run = run  # type: ignore[method-assign]


async def _get(stack: AuthStack, token: str | None, **params: str) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"{stack.url}/graphql?{urlencode({'query': QUERY['query'], **params})}"
    async with stack.session.get(url, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def test_a_missing_token_is_401_without_an_error_code_when_anonymous_is_off() -> None:
    async with auth_stack() as stack:
        status, body, headers = await stack.post()
        assert status == 401
        assert headers["WWW-Authenticate"] == 'Bearer realm="aggregator"'
        assert body == {
            "errors": [
                {
                    "message": "this gateway needs a bearer token",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        }
        assert (await _get(stack, None))[0] == 401
        assert (await stack.post(path="/plan"))[0] == 401
        assert stack.reached_subgraph() == 0


async def test_get_and_plan_authenticate_like_post() -> None:
    async with auth_stack() as stack:
        token = stack.idp.token()
        assert await _get(stack, token) == (200, ANSWER)
        assert (await _get(stack, token + "x"))[0] == 401
        status, body, _ = await stack.post(token, path="/plan")
        assert status == 200
        assert "Fetch(" in body["plan"]
        assert (await stack.post(stack.idp.token(aud="x"), path="/plan"))[0] == 401


async def test_anonymous_callers_are_served_where_allowed_but_bad_tokens_never_are() -> None:
    async with auth_stack(auth={"anonymous": True}) as stack:
        spy = _Spy(stack.gateway)
        status, body, _ = await stack.post()
        assert (status, body) == (200, ANSWER)
        status, _, _ = await stack.post(stack.idp.token(exp=int(time.time()) - 3600))
        assert status == 401  # an invalid token is never downgraded to anonymous
        status, _, _ = await stack.post(headers=[("Authorization", "Basic Zm9vOmJhcg==")])
        assert status == 401
        assert (await stack.post(stack.idp.token()))[0] == 200
        assert spy.seen[0] is None
        identity = spy.seen[1]
        assert identity is not None
        assert (identity.subject, identity.agency, identity.scopes) == (
            "citizen-1",
            "tax",
            frozenset({"tax:read"}),
        )


async def test_the_gateway_gets_the_identity_with_mapped_scopes_and_agency_from_the_token() -> None:
    scopes = ScopeSource(
        claims=("scope", "scp"),
        role_claim="roles",
        roles={"tax-officer": ("tax:read", "tax:write"), "nurse": ("health:read",)},
    )
    async with auth_stack(issuer={"scopes": scopes, "agency_claim": "tenant"}) as stack:
        spy = _Spy(stack.gateway)
        token = stack.idp.token(
            scope="profile", scp=["a:b"], roles=["tax-officer", "unknown-role"], tenant="dmv"
        )
        # a client header claiming another agency changes nothing
        status, _, _ = await stack.post(token, headers=[("X-Agency", "health")])
        assert status == 200
        [identity] = spy.seen
        assert identity is not None
        assert identity.scopes == frozenset({"profile", "a:b", "tax:read", "tax:write"})
        assert identity.agency == "dmv"
        assert identity.issuer == "https://idp.example"


async def test_purpose_of_use_from_the_token_or_an_allowed_header() -> None:
    async with auth_stack(auth={"purpose_header": "x-purpose-of-use"}) as stack:
        spy = _Spy(stack.gateway)
        assert (await stack.post(stack.idp.token(purpose="audit")))[0] == 200
        allowed = stack.idp.token(purpose=["treatment", "audit"])
        assert (await stack.post(allowed, headers=[("X-Purpose-Of-Use", "treatment")]))[0] == 200
        assert (await stack.post(allowed))[0] == 200
        status, body, headers = await stack.post(
            allowed, headers=[("X-Purpose-Of-Use", "marketing")]
        )
        assert status == 401
        assert 'error="invalid_request"' in headers["WWW-Authenticate"]
        assert "marketing" in body["errors"][0]["message"]
        assert (await stack.post(allowed, headers=[("X-Purpose-Of-Use", "bad value!")]))[0] == 401
        free = stack.idp.token()  # no purpose claim: the caller may declare one
        assert (await stack.post(free, headers=[("X-Purpose-Of-Use", "research")]))[0] == 200
        assert [i.purpose if i else None for i in spy.seen] == [
            "audit",
            "treatment",
            None,
            "research",
        ]
        # the declared purpose is per request: the cached identity keeps none
        assert (await stack.post(free))[0] == 200
        assert spy.seen[-1] is not None
        assert spy.seen[-1].purpose is None


async def test_a_purpose_header_is_ignored_unless_the_operator_allows_it() -> None:
    async with auth_stack() as stack:
        spy = _Spy(stack.gateway)
        token = stack.idp.token(purpose="audit")
        assert (await stack.post(token, headers=[("X-Purpose-Of-Use", "marketing")]))[0] == 200
        assert spy.seen[0] is not None
        assert spy.seen[0].purpose == "audit"


async def test_require_typ_at_jwt() -> None:
    async with auth_stack(issuer={"require_typ": "at+jwt"}) as stack:
        assert (await stack.post(stack.idp.token(headers={"typ": "at+jwt"})))[0] == 200
        assert (await stack.post(stack.idp.token(headers={"typ": "application/at+jwt"})))[0] == 200
        assert (await stack.post(stack.idp.token(headers={"typ": "JWT"})))[0] == 401
        assert (await stack.post(stack.idp.token()))[0] == 401


async def test_valid_tokens_are_validated_once_until_they_expire() -> None:
    async with auth_stack() as stack:
        calls = 0
        validate = stack.authenticator.validate

        async def counting(token: str) -> Identity:
            nonlocal calls
            calls += 1
            return await validate(token)

        stack.authenticator.validate = counting  # type: ignore[method-assign]
        token = stack.idp.token()
        for _ in range(5):
            assert (await stack.post(token))[0] == 200
        assert calls == 1
        assert len(stack.authenticator.tokens) == 1
        short = stack.idp.token(exp=int(time.time()) + 1)
        assert (await stack.post(short))[0] == 200
        stack.authenticator.tokens.clock = lambda: time.time() + 2
        assert (await stack.post(short))[0] == 200  # within the 30 s leeway: validated again
        assert calls == 3


async def test_a_failing_authenticator_fails_closed() -> None:
    async with auth_stack() as stack:

        async def broken(headers: object) -> Identity | None:
            raise RuntimeError("bug")

        stack.authenticator.authenticate = broken  # type: ignore[assignment,method-assign]
        status, body, _ = await stack.post(stack.idp.token())
        assert status == 500
        assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert stack.reached_subgraph() == 0
