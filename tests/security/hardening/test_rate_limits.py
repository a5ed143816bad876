"""Rate limits: keyed by caller, 429 with Retry-After and RateLimit fields, shared through Redis."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from aggregator.registry.composer import SubgraphSdl, compose_sdls
from aggregator.security.identity import Identity
from aggregator.security.ratelimit import KeyKind, RateLimitPolicy, rate_limit_key
from tests.resilience.conftest import LICENCE, QUERY, SDL, dmv_gateway
from tests.support.faults import FaultySubgraph, serve_faulty
from tests.support.servers import free_port, redis_server

ADA = Identity(subject="ada", issuer="https://idp.gov", agency="dmv")
BOB = Identity(subject="bob", issuer="https://idp.gov", agency="dmv")


@pytest.mark.parametrize(
    ("keys", "identity", "headers", "expected"),
    [
        ((KeyKind.SUBJECT, KeyKind.IP), ADA, {}, "sub:https://idp.gov|ada"),
        ((KeyKind.SUBJECT, KeyKind.IP), None, {}, "ip:10.0.0.9"),
        ((KeyKind.AGENCY,), BOB, {}, "agency:dmv"),
        ((KeyKind.AGENCY, KeyKind.IP), Identity("c", "i"), {}, "ip:10.0.0.9"),
        (
            (KeyKind.CLIENT, KeyKind.IP),
            None,
            {b"apollographql-client-name": b"portal"},
            "client:portal",
        ),
        ((KeyKind.CLIENT,), None, {b"graphql-client-name": b"mobile"}, "client:mobile"),
        ((KeyKind.CLIENT,), None, {}, "anonymous"),
    ],
)
def test_the_first_key_kind_a_request_has_names_its_bucket(
    keys: tuple[KeyKind, ...],
    identity: Identity | None,
    headers: dict[bytes, bytes],
    expected: str,
) -> None:
    policy = RateLimitPolicy(keys=keys)
    assert rate_limit_key(identity, headers, "10.0.0.9", policy) == expected


def test_forwarded_for_is_used_only_when_trusted() -> None:
    headers = {b"x-forwarded-for": b"203.0.113.7, 10.0.0.1"}
    assert rate_limit_key(None, headers, "10.0.0.1", RateLimitPolicy(keys=(KeyKind.IP,))) == (
        "ip:10.0.0.1"
    )
    trusted = RateLimitPolicy(keys=(KeyKind.IP,), trust_forwarded_for=True)
    assert rate_limit_key(None, headers, "10.0.0.1", trusted) == "ip:203.0.113.7"


async def test_over_the_limit_is_429_with_retry_after_and_ratelimit_fields(
    tmp_path: Path,
) -> None:
    config = "rate_limits: {capacity: 3, refill_per_s: 0.5, key: ip}\n"
    async with dmv_gateway(tmp_path, config) as served:
        answers = [await served.post(QUERY) for _ in range(4)]
        assert len(served.subgraph.requests) == 3
    statuses = [status for status, _, _ in answers]
    assert statuses == [200, 200, 200, 429]
    assert answers[0][1] == {"data": {"licence": LICENCE}}
    assert [h["ratelimit"] for _, _, h in answers[:3]] == [
        '"gateway";r=2;t=2',
        '"gateway";r=1;t=4',
        '"gateway";r=0;t=6',
    ]
    _, refused, headers = answers[3]
    assert refused["errors"][0]["extensions"]["code"] == "REQUEST_RATE_LIMITED"
    assert headers["retry-after"] == "2"
    assert headers["ratelimit"] == '"gateway";r=0;t=2'
    assert headers["ratelimit-policy"] == '"gateway";q=3;w=6'


@contextlib.asynccontextmanager
async def gateway_process(config: Path, port: int) -> AsyncIterator[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aggregator",
        "serve",
        "--config",
        str(config),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(400):
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with session.get(f"http://127.0.0.1:{port}/health"):
                        break
                if proc.returncode is not None:
                    raise AssertionError((await proc.communicate())[1].decode())
                await asyncio.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_two_gateway_processes_share_one_bucket_in_redis(tmp_path: Path) -> None:
    subgraph = FaultySubgraph({"licence": LICENCE})
    with redis_server() as redis_url:
        async with serve_faulty(subgraph), contextlib.AsyncExitStack() as stack:
            sdl = compose_sdls([SubgraphSdl("dmv", subgraph.url, SDL)]).supergraph_sdl
            (tmp_path / "supergraph.graphql").write_text(sdl)
            urls = []
            for replica in ("a", "b"):
                port = free_port()
                config = tmp_path / f"{replica}.yaml"
                config.write_text(
                    "supergraph_file: supergraph.graphql\n"
                    f"server: {{port: {port}, redis_url: '{redis_url}', document_workers: 0}}\n"
                    "rate_limits: {capacity: 6, refill_per_s: 0.01, key: ip, store: redis}\n"
                )
                urls.append(await stack.enter_async_context(gateway_process(config, port)))
            session = await stack.enter_async_context(aiohttp.ClientSession())

            async def post(url: str) -> int:
                async with session.post(url, json={"query": QUERY}) as response:
                    await response.read()
                    return response.status

            # twenty requests at once, alternating replicas: the script decides atomically
            statuses = await asyncio.gather(*(post(urls[i % 2]) for i in range(20)))
            assert subgraph.requests  # the allowed ones were served
    assert sorted(statuses) == [200] * 6 + [429] * 14


async def test_an_unreachable_redis_lets_requests_through_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from aggregator.security.ratelimit import RateLimiter, RedisBuckets

    limiter = RateLimiter(
        RateLimitPolicy(capacity=1), RedisBuckets(f"redis://127.0.0.1:{free_port()}/0")
    )
    try:
        with caplog.at_level("WARNING", logger="aggregator.ratelimit"):
            decision = await limiter.check(None, {}, "10.0.0.1")
    finally:
        await limiter.close()
    assert decision is None  # no decision: the server lets the request through
    assert "rate limit store unavailable; request allowed" in caplog.text
