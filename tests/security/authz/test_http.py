"""Authorization over real HTTP: the server asks an Authenticator, the gateway enforces.

The Authenticator here maps a test header to an :class:`Identity` (token validation
is tested elsewhere); it implements the same protocol the JWT authenticator does.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

import aiohttp

from aggregator.config import AuthorizationMode
from aggregator.security import AuthenticationError, Identity
from aggregator.security.authorization import AuthorizationOptions
from aggregator.server import ServerOptions, create_app
from tests.security.authz.conftest import Agency
from tests.security.authz.test_enforcement import unauthorized
from tests.support.servers import serve_asgi

GRAPHQL_RESPONSE = "application/graphql-response+json"


class HeaderAuthenticator:
    """``x-test-scopes: a b`` -> a caller holding scopes a and b; ``x-test-bad`` -> 401."""

    async def authenticate(self, headers: Sequence[tuple[bytes, bytes]]) -> Identity | None:
        found = dict(headers)
        if b"x-test-bad" in found:
            raise AuthenticationError("the token has expired")
        scopes = found.get(b"x-test-scopes")
        if scopes is None:
            return None
        return Identity(
            subject="http-user", issuer="test", scopes=frozenset(scopes.decode().split())
        )


@contextlib.asynccontextmanager
async def serving(agency: Agency, mode: AuthorizationMode) -> AsyncIterator[str]:
    gateway = agency.gateway(AuthorizationOptions(mode=mode))
    app = create_app(gateway, ServerOptions(authenticator=HeaderAuthenticator()))
    async with serve_asgi(app) as base:
        yield base + "/graphql"


async def post(
    url: str, query: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, object], dict[str, str]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"query": query}, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None), dict(response.headers)


async def test_filter_mode_over_http(agency: Agency, fresh: Callable[[], None]) -> None:
    query = '{ user(id: "1") { username email } }'
    async with serving(agency, AuthorizationMode.FILTER) as url:
        status, body, _ = await post(url, query)
        assert (status, body) == (
            200,
            {
                "errors": [unauthorized("user", "email")],
                "data": {"user": {"username": "ada", "email": None}},
            },
        )
        status, body, _ = await post(url, query, {"x-test-scopes": "read:email other"})
        assert (status, body) == (
            200,
            {"data": {"user": {"username": "ada", "email": "ada@agency.example"}}},
        )
    assert agency.queries("accounts") == [
        'query{user(id: "1"){username}}',
        'query{user(id: "1"){username email}}',
    ]


async def test_authentication_failure_is_401_and_reaches_no_subgraph(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    async with serving(agency, AuthorizationMode.FILTER) as url:
        status, body, headers = await post(url, "{ motd }", {"x-test-bad": "1"})
    assert status == 401
    assert body == {
        "errors": [{"message": "the token has expired", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    assert headers["WWW-Authenticate"].startswith(
        'Bearer realm="aggregator", error="invalid_token"'
    )
    assert agency.all_queries() == ""


async def test_reject_mode_status(agency: Agency, fresh: Callable[[], None]) -> None:
    """A refused operation has no data: 403 for graphql-response+json clients; 200 for
    application/json ones, as the GraphQL-over-HTTP spec requires for that media type (and
    as Apollo Router answers)."""
    query = '{ user(id: "1") { username email } }'
    refused = {"errors": [unauthorized("user", "email")]}
    async with serving(agency, AuthorizationMode.REJECT) as url:
        status, body, _ = await post(url, query, {"accept": GRAPHQL_RESPONSE})
        assert (status, body) == (403, refused)
        status, body, _ = await post(url, query, {"accept": "application/json"})
        assert (status, body) == (200, refused)
        status, body, _ = await post(
            url, query, {"accept": GRAPHQL_RESPONSE, "x-test-scopes": "read:email"}
        )
        assert status == 200
        assert body == {"data": {"user": {"username": "ada", "email": "ada@agency.example"}}}
    assert agency.queries("accounts") == ['query{user(id: "1"){username email}}']
