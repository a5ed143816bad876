"""The Redis backend against a real redis-server: sharing, batching, expiry, outages.

Redis is killed and restarted mid-test, replaced by a socket that never
answers, and shared by two gateway processes; every request must still be
answered correctly, and the counters must say what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as redis

from aggregator.cli import main as cli
from tests.caching.agencies import Agencies
from tests.caching.gateway import ADMIN_TOKEN, Response, serve_gateway, token, write_config
from tests.caching.redis_process import RedisProcess, redis_cluster, redis_process
from tests.support.servers import free_port

CLASSES = "{ licenceClasses { code name description } }"
LOOKUP = "query($codes: [ID!]!) { lookupClasses(codes: $codes) { code description } }"
TWO_STEPS = "{ licenceClasses { code description } me { id points } }"


def section(url: str, extra: str = "", timeout_ms: int = 1000) -> str:
    """A Redis cache section; the generous default timeout keeps a loaded CI machine's
    scheduling stalls from counting as Redis outages (the bypass tests set their own)."""
    return f"""
cache:
  backend: redis
  admin_token: {ADMIN_TOKEN}
  responses: false
  redis:
    url: {url}
    key_prefix: test-cache
    timeout_ms: {timeout_ms}
{extra}"""


@pytest.fixture
def redis_server() -> Iterator[RedisProcess]:
    with redis_process() as process:
        yield process


async def _mget_calls(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        stats = await client.info("commandstats")
    finally:
        await client.aclose()
    return int(stats.get("cmdstat_mget", {}).get("calls", 0))


async def test_hits_and_partial_hits_through_redis(
    agencies: Agencies, config_dir: Path, redis_server: RedisProcess
) -> None:
    config = write_config(config_dir, agencies, section(redis_server.url))
    async with serve_gateway(config) as gateway:
        first = await gateway.post(CLASSES)
        second = await gateway.post(CLASSES)
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
        await gateway.post(LOOKUP, {"codes": [f"C{i:03d}" for i in range(20, 110)]})
        before = len(agencies["records"].requests)
        result = await gateway.post(LOOKUP, {"codes": [f"C{i:03d}" for i in range(120)]})
    assert first.body == second.body
    # C000-C019 came with the list, C020-C109 with the first lookup: only 10 are new
    assert len(agencies["records"].requests) == before + 1
    assert [r["code"] for r in agencies["records"].representations()[-1]] == [
        f"C{i:03d}" for i in range(110, 120)
    ]
    assert len(result.body["data"]["lookupClasses"]) == 120
    client = redis.Redis.from_url(redis_server.url)
    try:
        keys = await client.keys("test-cache:*")
    finally:
        await client.aclose()
    entries = [k for k in keys if b":tag:" not in k]
    assert len(entries) == 1 + 120  # the list and 120 LicenceClass entities
    assert b"test-cache:tag:c:reference" in keys


async def test_one_mget_per_plan_step(
    agencies: Agencies, config_dir: Path, redis_server: RedisProcess
) -> None:
    alice = token("alice", "dmv")
    config = write_config(config_dir, agencies, section(redis_server.url))
    async with serve_gateway(config) as gateway:
        start = await _mget_calls(redis_server.url)
        cold = await gateway.post(TWO_STEPS, bearer=alice)
        after_cold = await _mget_calls(redis_server.url)
        warm = await gateway.post(TWO_STEPS, bearer=alice)
        after_warm = await _mget_calls(redis_server.url)
    assert cold.body == warm.body
    assert cold.body["data"]["me"] == {"id": "alice", "points": 10}
    # step 1: the catalog and people root fetches; step 2: the two records entity fetches
    assert after_cold - start == 2
    assert after_warm - after_cold == 2
    assert agencies.counts() == {"catalog": 1, "people": 1, "records": 1}


async def test_entries_expire_in_redis(
    agencies: Agencies, config_dir: Path, redis_server: RedisProcess
) -> None:
    extra = "  types:\n    LicenceClass: {ttl_s: 1}\n"
    config = write_config(config_dir, agencies, section(redis_server.url, extra))
    async with serve_gateway(config) as gateway:
        first = await gateway.post(CLASSES)
        await gateway.post(CLASSES)
        assert agencies.counts()["records"] == 1
        await asyncio.sleep(1.3)
        third = await gateway.post(CLASSES)
    assert first.headers["Cache-Control"] == "max-age=1, public"
    assert third.body == first.body
    # the list keeps its field hint (300 s); only the LicenceClass entities expired
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 2}


async def _until_hit(gateway: object, query: str, agencies: Agencies, attempts: int = 60) -> int:
    """Send ``query`` until a request reaches no subgraph; returns how many it took."""
    for attempt in range(1, attempts + 1):
        before = dict(agencies.counts())
        await gateway.post(query)  # type: ignore[attr-defined]
        if agencies.counts() == before:
            return attempt
        await asyncio.sleep(0.1)
    raise AssertionError("the cache never served a hit")


async def test_redis_outage_bypasses_and_recovers(
    agencies: Agencies, config_dir: Path, redis_server: RedisProcess
) -> None:
    config = write_config(config_dir, agencies, section(redis_server.url))
    async with serve_gateway(config) as gateway:
        expected = await gateway.post(CLASSES)
        await gateway.post(CLASSES)
        assert agencies.counts()["catalog"] == 1
        redis_server.kill()
        during = [await gateway.post(CLASSES) for _ in range(3)]
        assert all(r.status == 200 and r.body == expected.body for r in during)
        assert agencies.counts()["catalog"] == 4  # every request went to the subgraphs
        metrics = gateway.metrics()
        assert metrics["totals"]["bypass"] > 0
        assert metrics["gauges"]["up"] == 0.0
        redis_server.start()  # empty: the fill happens again, then hits
        await _until_hit(gateway, CLASSES, agencies)
        recovered = await gateway.post(CLASSES)
    assert recovered.body == expected.body
    assert gateway.metrics()["gauges"]["up"] == 1.0


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never answers: a Redis behind a black-holing network."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_redis_that_never_answers_is_bypassed(agencies: Agencies, config_dir: Path) -> None:
    async with silent_server() as port:
        config = write_config(
            config_dir, agencies, section(f"redis://127.0.0.1:{port}/0", timeout_ms=50)
        )
        async with serve_gateway(config) as gateway:
            # bounded by the 50 ms timeout, not by Redis: finishes even though Redis never does
            async def five() -> list[Response]:
                return [await gateway.post(CLASSES) for _ in range(5)]

            results = await asyncio.wait_for(five(), 10)
    assert all(r.status == 200 for r in results)
    assert all(r.body["data"]["licenceClasses"][0]["code"] == "C000" for r in results)
    assert gateway.metrics()["totals"]["bypass"] > 0
    assert gateway.metrics()["totals"]["hit"] == 0


@contextlib.asynccontextmanager
async def gateway_process(config: Path, port: int) -> AsyncIterator[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aggregator",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(url + "/ready") as response:
                        if response.status == 200:
                            break
                if proc.returncode is not None:
                    assert proc.stderr is not None
                    raise AssertionError((await proc.stderr.read()).decode())
                await asyncio.sleep(0.1)
        yield url
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _post(session: aiohttp.ClientSession, url: str, query: str) -> object:
    async with session.post(url + "/graphql", json={"query": query}) as response:
        assert response.status == 200
        return await response.json()


async def test_two_gateway_processes_share_one_redis(
    agencies: Agencies, config_dir: Path, redis_server: RedisProcess
) -> None:
    config = write_config(config_dir, agencies, section(redis_server.url))
    async with (
        gateway_process(config, free_port()) as first,
        gateway_process(config, free_port()) as second,
        aiohttp.ClientSession() as session,
    ):
        filled = await _post(session, first, CLASSES)
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
        served = await _post(session, second, CLASSES)
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
        # a purge through one replica's admin endpoint is seen by the other
        async with session.post(
            first + "/admin/cache/purge",
            json={"subgraph": "records"},
            headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as response:
            purged = await response.json()
        await _post(session, second, CLASSES)
    assert filled == served
    assert purged == {"purged": 20}
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 2}


async def test_cli_purges_redis_directly(
    agencies: Agencies, config_dir: Path, redis_server: RedisProcess, capsys: object
) -> None:
    config = write_config(config_dir, agencies, section(redis_server.url))
    async with serve_gateway(config) as gateway:
        await gateway.post(CLASSES)
        status = await asyncio.to_thread(
            cli, ["cache", "purge", "--config", str(config), "--tag", "reference"]
        )
        await gateway.post(CLASSES)
    out, _ = capsys.readouterr()  # type: ignore[attr-defined]
    assert status == 0
    assert out.strip() == "purged 21 entries"
    assert agencies.counts() == {"catalog": 2, "people": 0, "records": 2}


async def test_cli_reports_an_unreachable_redis_in_one_line(
    agencies: Agencies, config_dir: Path, capsys: object
) -> None:
    config = write_config(config_dir, agencies, section(f"redis://127.0.0.1:{free_port()}/0"))
    status = await asyncio.to_thread(
        cli, ["cache", "purge", "--config", str(config), "--subgraph", "records"]
    )
    _, err = capsys.readouterr()  # type: ignore[attr-defined]
    assert status == 1
    assert err.startswith("aggregator: error: cannot purge: redis:")
    assert len(err.strip().splitlines()) == 1


async def test_a_redis_cluster_serves_hits_partial_hits_and_purges(
    agencies: Agencies, config_dir: Path
) -> None:
    with redis_cluster() as url:
        extra = "    cluster: true\n"
        config = write_config(
            config_dir,
            agencies,
            section(url).replace(
                "    key_prefix: test-cache\n", "    key_prefix: test-cache\n" + extra
            ),
        )
        async with serve_gateway(config) as gateway:
            first = await gateway.post(CLASSES)
            second = await gateway.post(CLASSES)
            assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
            await gateway.post(LOOKUP, {"codes": [f"C{i:03d}" for i in range(30)]})
            assert [r["code"] for r in agencies["records"].representations()[-1]] == [
                f"C{i:03d}" for i in range(20, 30)
            ]
            purged = await gateway.admin("POST", "/admin/cache/purge", {"tag": "reference"})
            await gateway.post(CLASSES)
        client = redis.RedisCluster.from_url(url)
        try:
            keys = await client.keys("test-cache:*", target_nodes=redis.RedisCluster.ALL_NODES)
        finally:
            await client.aclose()
    assert first.body == second.body
    assert purged.body == {"purged": 31}  # the list and 30 entities, wherever their slots are
    assert agencies.counts() == {"catalog": 3, "people": 0, "records": 3}
    assert len([k for k in keys if b":tag:" not in k]) == 21  # refilled after the purge
    assert gateway.metrics()["totals"]["bypass"] == 0
