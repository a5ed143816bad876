"""The key-set cache against a real identity provider: max-age, outages, rotation, floods.

The provider counts its ``/jwks`` requests; the gateway's key cache runs on a
clock the test moves (tokens themselves are checked against real time).
"""

from __future__ import annotations

import asyncio
import secrets

from aggregator.config.auth_model import JwksCacheConfig
from tests.security.conftest import ANSWER, auth_stack
from tests.security.idp import SigningKey, rsa_key


def _stranger(kid: str) -> SigningKey:
    return SigningKey(kid, rsa_key(1), "RS256")


async def test_keys_are_reused_for_their_max_age() -> None:
    async with auth_stack() as stack:
        stack.idp.cache_control = "public, max-age=600"
        for _ in range(3):
            assert (await stack.post(stack.idp.token()))[0] == 200
        stack.clock.advance(599)
        assert (await stack.post(stack.idp.token()))[0] == 200
        assert stack.idp.requests["/jwks"] == 1
        stack.clock.advance(2)
        assert (await stack.post(stack.idp.token()))[0] == 200
        assert stack.idp.requests["/jwks"] == 2


async def test_max_age_is_clamped_into_the_configured_bounds() -> None:
    cache = JwksCacheConfig(min_ttl_s=60, max_ttl_s=3600)
    async with auth_stack(cache=cache) as stack:
        stack.idp.cache_control = "no-store"
        await stack.post(stack.idp.token())
        stack.clock.advance(59)  # no-store still keeps the keys min_ttl_s
        await stack.post(stack.idp.token())
        assert stack.idp.requests["/jwks"] == 1
        stack.idp.cache_control = "max-age=999999999"
        stack.clock.advance(2)
        await stack.post(stack.idp.token())
        assert stack.idp.requests["/jwks"] == 2
        stack.clock.advance(3601)  # a huge max-age is cut to max_ttl_s
        await stack.post(stack.idp.token())
        assert stack.idp.requests["/jwks"] == 3


async def test_outage_within_the_stale_limit_keeps_serving() -> None:
    cache = JwksCacheConfig(stale_if_error_s=3600, refetch_interval_s=30)
    async with auth_stack(cache=cache) as stack:
        assert (await stack.post(stack.idp.token()))[0] == 200
        stack.idp.failing = True
        stack.clock.advance(300 + 1800)  # expired (max-age 300), half-way into the stale window
        for _ in range(5):  # new tokens: the validated-token cache does not help
            status, body, _ = await stack.post(stack.idp.token())
            assert (status, body) == (200, ANSWER)
        assert stack.idp.requests["/jwks"] == 2  # one failed refresh, not one per request
        stack.clock.advance(31)
        assert (await stack.post(stack.idp.token()))[0] == 200
        assert stack.idp.requests["/jwks"] == 3
        assert stack.reached_subgraph() == 7


async def test_outage_beyond_the_stale_limit_is_503_not_401_and_recovers() -> None:
    cache = JwksCacheConfig(stale_if_error_s=600, refetch_interval_s=30)
    async with auth_stack(cache=cache) as stack:
        assert (await stack.post(stack.idp.token()))[0] == 200
        stack.idp.failing = True
        stack.clock.advance(300 + 601)
        status, body, headers = await stack.post(stack.idp.token())
        assert status == 503
        assert body["errors"][0]["extensions"]["code"] == "IDENTITY_PROVIDER_UNAVAILABLE"
        assert headers["Retry-After"] == "30"
        assert "WWW-Authenticate" not in headers
        assert stack.reached_subgraph() == 1
        stack.idp.failing = False
        stack.clock.advance(31)
        assert (await stack.post(stack.idp.token()))[0] == 200


async def test_identity_provider_down_from_the_start_is_asked_once_per_interval() -> None:
    async with auth_stack() as stack:
        stack.idp.failing = True
        statuses = [(await stack.post(stack.idp.token()))[0] for _ in range(10)]
        assert statuses == [503] * 10
        assert stack.idp.requests["/jwks"] == 1
        stack.idp.failing = False
        stack.clock.advance(31)
        assert (await stack.post(stack.idp.token()))[0] == 200
        assert stack.idp.requests["/jwks"] == 2


async def test_key_rotation_is_picked_up_and_retired_keys_stop_working() -> None:
    async with auth_stack() as stack:
        old = stack.idp.keys[0]
        assert (await stack.post(stack.idp.token()))[0] == 200
        stack.clock.advance(31)
        new = stack.idp.add_key("rsa-2", rsa_key(2), "RS256")  # the provider publishes a key
        assert (await stack.post(stack.idp.token(new)))[0] == 200
        assert stack.idp.requests["/jwks"] == 2
        stack.idp.keys.remove(old)  # ... and later retires the old one
        stack.clock.advance(301)
        assert (await stack.post(stack.idp.token(new)))[0] == 200
        assert (await stack.post(stack.idp.token(old)))[0] == 401
        assert stack.idp.requests["/jwks"] == 3


async def test_a_flood_of_random_kids_costs_at_most_one_fetch_per_interval() -> None:
    async with auth_stack() as stack:
        assert (await stack.post(stack.idp.token()))[0] == 200
        stack.clock.advance(31)
        tokens = [stack.idp.token(_stranger(secrets.token_hex(8))) for _ in range(200)]
        results = await asyncio.gather(*(stack.post(t) for t in tokens))
        assert [r[0] for r in results] == [401] * 200
        assert stack.idp.requests["/jwks"] == 2  # concurrent misses shared one fetch
        for token in [stack.idp.token(_stranger(secrets.token_hex(8))) for _ in range(20)]:
            assert (await stack.post(token))[0] == 401
        assert stack.idp.requests["/jwks"] == 2
        stack.clock.advance(31)
        results = await asyncio.gather(
            *(stack.post(stack.idp.token(_stranger(secrets.token_hex(8)))) for _ in range(50))
        )
        assert stack.idp.requests["/jwks"] == 3
        assert stack.reached_subgraph() == 1


async def test_a_cold_cache_under_concurrent_load_fetches_once() -> None:
    async with auth_stack() as stack:
        tokens = [stack.idp.token() for _ in range(50)]
        results = await asyncio.gather(*(stack.post(t) for t in tokens))
        assert [r[0] for r in results] == [200] * 50
        assert stack.idp.requests["/jwks"] == 1
