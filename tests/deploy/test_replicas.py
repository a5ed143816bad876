"""Two gateway replicas behind HAProxy with one Redis, as deploy/compose runs them.

Real processes throughout: two ``aggregator serve --config`` replicas (one
generated config, the demo agencies as remote backends), one redis-server,
one HAProxy that health-checks ``/ready``. Persisted queries registered on
one replica are found by the other, and a replica stopped with SIGTERM in
the middle of a load loses no request: it leaves the rotation while still
serving (``/ready`` 503 during ``shutdown_delay_s``), finishes what it has,
and the balancer sends everything else to the other replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from aggregator.demo.agencies import SCHEMAS_DIR
from aggregator.demo.app import demo_agencies
from aggregator.demo.auth import dev_auth_yaml
from tests.support.processes import (
    Process,
    aggregator_process,
    exit_status,
    haproxy,
    wait_for_ready_status,
)
from tests.support.servers import free_port, redis_server

QUERY = 'query Citizen { citizen(id: "C0001") { fullName vehicles { plate } } }'
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
PERSISTED = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": HASH}}}
EXPECTED = {"data": {"citizen": {"fullName": "Nina Murphy", "vehicles": [{"plate": "LGP-645"}]}}}


@dataclass
class Replica:
    name: str
    base: str
    process: Process


@dataclass
class Deployment:
    balancer: str
    replicas: dict[str, Replica] = field(default_factory=dict)


def replica_config(path: Path, redis_url: str, backends: dict[str, str]) -> Path:
    path.write_text(
        f"""server:
  graphiql: false
  redis_url: {redis_url}
  apq: true
  shutdown_delay_s: 2
  shutdown_timeout_s: 20
subgraphs:
  - name: identity
    python: resolvers.identity:schema
  - name: dmv
    connector: {SCHEMAS_DIR / "dmv" / "connector.graphql"}
    base_urls: {{dmv: "{backends["dmv"]}"}}
  - name: tax
    connector: {SCHEMAS_DIR / "tax" / "connector.graphql"}
    base_urls: {{tax: "{backends["tax"]}"}}
  - name: health
    url: {backends["health"]}
"""
        + dev_auth_yaml(),
        encoding="utf-8",
    )
    return path


@contextlib.asynccontextmanager
async def two_replicas(tmp_path: Path) -> AsyncIterator[Deployment]:
    with redis_server() as redis_url:
        async with demo_agencies() as agencies, contextlib.AsyncExitStack() as stack:
            config = replica_config(tmp_path / "aggregator.yaml", redis_url, agencies.backend_urls)
            env = {**os.environ, "AGGREGATOR_CURSOR_KEY": "replicas-share-this-cursor-key"}
            deployment = Deployment(balancer="")
            ports = {"a": free_port(), "b": free_port()}
            for name, port in ports.items():
                process = await stack.enter_async_context(
                    aggregator_process(
                        "serve", "--config", str(config), "--port", str(port), env=env
                    )
                )
                deployment.replicas[name] = Replica(name, f"http://127.0.0.1:{port}", process)
            for replica in deployment.replicas.values():
                await wait_for_ready_status(replica.base, 200, replica.process)
            deployment.balancer = await stack.enter_async_context(
                haproxy(free_port(), list(ports.items()), tmp_path)
            )
            await _until_both_replicas_answer(deployment.balancer)
            yield deployment


async def post(
    session: aiohttp.ClientSession, url: str, body: dict[str, Any]
) -> tuple[int, str | None, Any]:
    async with session.post(f"{url}/graphql", json=body) as response:
        return response.status, response.headers.get("x-replica"), await response.json()


async def _until_both_replicas_answer(balancer: str) -> None:
    seen: set[str | None] = set()
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            with contextlib.suppress(aiohttp.ClientError):
                seen.add((await post(session, balancer, {"query": "{ __typename }"}))[1])
            if {"a", "b"} <= seen:
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"the balancer never reached both replicas (saw {seen})")


def codes(body: Any) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_query_persisted_on_one_replica_is_found_on_the_other(tmp_path: Path) -> None:
    async with two_replicas(tmp_path) as deployment, aiohttp.ClientSession() as session:
        a, b = deployment.replicas["a"].base, deployment.replicas["b"].base
        status, _, body = await post(session, b, PERSISTED)
        assert (status, codes(body)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])

        status, _, body = await post(session, a, {"query": QUERY, **PERSISTED})
        assert (status, body) == (200, EXPECTED)
        status, _, body = await post(session, b, PERSISTED)  # never saw the document
        assert (status, body) == (200, EXPECTED)

        served = Counter()
        for _ in range(6):
            status, replica, body = await post(session, deployment.balancer, PERSISTED)
            assert (status, body) == (200, EXPECTED)
            served[replica] += 1
        assert served == {"a": 3, "b": 3}


@dataclass
class Load:
    """Clients sending QUERY through the balancer until told to stop; every answer recorded."""

    balancer: str
    served: Counter[str | None] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    progress: asyncio.Event = field(default_factory=asyncio.Event)

    async def client(self) -> None:
        async with aiohttp.ClientSession() as session:
            while not self.stop.is_set():
                try:
                    status, replica, body = await post(session, self.balancer, {"query": QUERY})
                except aiohttp.ClientError as exc:
                    self.failures.append(repr(exc))
                    continue
                if (status, body) != (200, EXPECTED):
                    self.failures.append(f"{status} {body}")
                self.served[replica] += 1
                self.progress.set()

    async def until(self, replica: str, count: int) -> None:
        while self.served[replica] < count:
            self.progress.clear()
            await asyncio.wait_for(self.progress.wait(), 20)


async def test_a_replica_stopped_mid_load_loses_no_request(tmp_path: Path) -> None:
    async with two_replicas(tmp_path) as deployment:
        load = Load(deployment.balancer)
        clients = [asyncio.create_task(load.client()) for _ in range(6)]
        try:
            await load.until("a", 20)
            stopped = deployment.replicas["a"].process
            stopped.send_signal(signal.SIGTERM)
            assert await exit_status(stopped) == 0  # drained: everything it took, it answered
            served_by_a = load.served["a"]
            await load.until("b", load.served["b"] + 100)  # the other keeps serving
        finally:
            load.stop.set()
            await asyncio.gather(*clients)
        assert load.failures == []
        assert load.served["a"] == served_by_a  # nothing reached the stopped replica
        assert set(load.served) == {"a", "b"}
