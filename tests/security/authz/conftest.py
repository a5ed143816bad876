"""Two real subgraphs (accounts, reviews) behind gateways with authorization options.

The supergraph is ``fixtures/agency/supergraph.graphql``, composed by
@apollo/composition (re-compose it with
``node tests/oracle/compose.mjs tests/security/authz/fixtures/agency``). Each
subgraph counts the operations it receives, so a test can prove a withheld field
never reached any backend.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aggregator.gateway import Gateway, GatewayOptions
from aggregator.security import Identity
from aggregator.security.authorization import AuthorizationOptions
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

FIXTURES = Path(__file__).parent / "fixtures"
AGENCY = FIXTURES / "agency"
SUPERGRAPH = (AGENCY / "supergraph.graphql").read_text()

USERS = {
    "1": {
        "id": "1",
        "username": "ada",
        "email": "ada@agency.example",
        "phone": "0400 000 001",
        "notes": ["prefers email"],
        "creditCard": "4111111111111111",
        "loyalty": "gold",
        "taxFileNumber": "123456782",
        "licence": "NSW-12345678",
        "medicalNote": "penicillin allergy",
        "role": "ADMIN",
        "salary": "120000",
    },
    "2": {
        "id": "2",
        "username": "bob",
        "email": "bob@agency.example",
        "phone": "0400 000 002",
        "notes": [],
        "creditCard": "5500000000000004",
        "loyalty": "silver",
        "taxFileNumber": "876543210",
        "licence": "VIC-87654321",
        "medicalNote": "none",
        "role": "MEMBER",
        "salary": "90000",
    },
}
POSTS = [
    {"__typename": "PublicPost", "id": "p1", "title": "Opening hours"},
    {"__typename": "PrivatePost", "id": "p2", "title": "Budget draft"},
]


def _credit_card(user: dict[str, Any], _info: Any, last: int = 4) -> str:
    return str(user["creditCard"])[-last:]


def accounts() -> FederatedSubgraph:
    sdl = (AGENCY / "accounts.graphql").read_text()
    return FederatedSubgraph(
        "accounts",
        sdl,
        {
            "Query": {
                "motd": lambda *_: "welcome",
                "me": lambda *_: USERS["1"],
                "user": lambda _root, _info, id: USERS.get(id),
                "users": lambda *_: list(USERS.values()),
                "members": lambda *_: list(USERS.values()),
                "stats": lambda *_: {"count": 2},
                "posts": lambda *_: POSTS,
                "search": lambda *_: POSTS,
                "anyone": lambda *_: "any authenticated caller",
                "nobody": lambda *_: "never",
            },
            "User": {
                "__resolve_reference": lambda rep: USERS.get(rep["id"]),
                "creditCard": _credit_card,
            },
        },
    )


def reviews() -> FederatedSubgraph:
    sdl = (AGENCY / "reviews.graphql").read_text()

    def reference(rep: dict[str, Any]) -> dict[str, Any]:
        email = rep.get("email")
        return {
            "id": rep["id"],
            "reviewCount": 3,
            "emailDomain": email.split("@")[1] if email else None,
        }

    return FederatedSubgraph("reviews", sdl, {"User": {"__resolve_reference": reference}})


@dataclass
class Agency:
    subgraphs: dict[str, FederatedSubgraph]
    urls: dict[str, str]
    made: list[Gateway]

    def gateway(self, authorization: AuthorizationOptions | None = None) -> Gateway:
        options = GatewayOptions(authorization=authorization or AuthorizationOptions())
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=self.urls, options=options)
        self.made.append(gateway)
        return gateway

    def reset(self) -> None:
        for subgraph in self.subgraphs.values():
            subgraph.requests.clear()

    def queries(self, name: str) -> list[str]:
        return [r["query"] for r in self.subgraphs[name].requests]

    def all_queries(self) -> str:
        return "\n".join(r["query"] for s in self.subgraphs.values() for r in s.requests)


@pytest.fixture(scope="module")
async def agency() -> AsyncIterator[Agency]:
    subgraphs = {"accounts": accounts(), "reviews": reviews()}
    async with contextlib.AsyncExitStack() as stack:
        urls = {
            name: await stack.enter_async_context(serve_asgi(app)) + "/graphql"
            for name, app in subgraphs.items()
        }
        made: list[Gateway] = []
        yield Agency(subgraphs, urls, made)
        for gateway in made:
            await gateway.close()


def caller(
    *scopes: str,
    subject: str = "u-1",
    agency: str = "ato",
    purpose: str | None = None,
    **claims: Any,
) -> Identity:
    return Identity(
        subject=subject,
        issuer="https://idp.example",
        agency=agency,
        scopes=frozenset(scopes),
        purpose=purpose,
        claims={"sub": subject, **claims},
    )


@pytest.fixture
def fresh(agency: Agency) -> Callable[[], None]:
    """Request counts start at zero for each test."""
    agency.reset()
    return agency.reset
