"""Micro-benchmarks of per-request authentication (pytest-benchmark).

What a request with a bearer token pays before the operation runs: the cached
path (header scan, SHA-256 of the token, one dict lookup, an expiry check) that
every request after the first takes, and the uncached path (decode, key lookup,
signature and claims checks with pyjwt) that a token's first request takes.
Also the per-(caller, subgraph) headers with an internal token, cached.
Each asserts the identity it measures is the right one.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aggregator.demo.auth import demo_authenticator, dev_token
from aggregator.security.identity import Identity
from aggregator.security.propagation import HeaderPropagation

HEADERS_BASE = [
    (b"host", b"127.0.0.1:4000"),
    (b"content-type", b"application/json"),
    (b"accept", b"application/json"),
    (b"content-length", b"180"),
]


def _headers(token: str) -> list[tuple[bytes, bytes]]:
    return [*HEADERS_BASE, (b"authorization", f"Bearer {token}".encode())]


def test_authenticate_cached_token(benchmark: Any, loop: asyncio.AbstractEventLoop) -> None:
    authenticator = demo_authenticator(anonymous=False)
    headers = _headers(dev_token("alice", agency="tax", scopes=["tax:read"]))

    def run() -> Identity | None:
        coroutine = authenticator.authenticate(headers)
        try:
            coroutine.send(None)
        except StopIteration as done:  # the cached path never suspends
            return done.value  # type: ignore[no-any-return]
        raise AssertionError("the cached path suspended")

    assert loop.run_until_complete(authenticator.authenticate(headers)) is not None
    identity = benchmark(run)
    assert identity is not None
    assert (identity.subject, identity.agency) == ("alice", "tax")
    loop.run_until_complete(authenticator.close())


def test_authenticate_uncached_token(benchmark: Any, loop: asyncio.AbstractEventLoop) -> None:
    authenticator = demo_authenticator(anonymous=False)
    token = dev_token("alice", agency="tax", scopes=["tax:read"])

    def run() -> Identity:
        return loop.run_until_complete(authenticator.validate(token))

    identity = benchmark(run)
    assert identity.scopes == frozenset({"tax:read"})
    loop.run_until_complete(authenticator.close())


def test_anonymous_request(benchmark: Any, loop: asyncio.AbstractEventLoop) -> None:
    authenticator = demo_authenticator(anonymous=True)

    def run() -> Identity | None:
        coroutine = authenticator.authenticate(HEADERS_BASE)
        try:
            coroutine.send(None)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        raise AssertionError("the anonymous path suspended")

    assert benchmark(run) is None
    loop.run_until_complete(authenticator.close())


def test_subgraph_headers_per_request(benchmark: Any) -> None:
    from aggregator.config.auth_model import HeaderRules, InsertHeader

    rules = HeaderRules(subgraphs={"tax": (InsertHeader("x-agency", claim="agency"),)})
    propagation = HeaderPropagation.build(rules=rules, propagate=("accept-language",))
    identity = Identity("alice", "dev", agency="tax")
    client = {"accept-language": "fr", "content-type": "application/json"}

    def run() -> dict[str, str]:
        return propagation.for_request(client, identity)("tax")

    assert benchmark(run) == {"accept-language": "fr", "x-agency": "tax"}
