"""The demo caches health's vaccines (public reference data) and citizens' records (private)."""

from __future__ import annotations

from aggregator.demo.app import demo_agencies, demo_cache
from aggregator.demo.auth import DEV_ISSUER
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.security.identity import Identity

VACCINES = "{ vaccines { code name } }"
RECORD = '{ citizen(id: "C0001") { fullName immunisations { vaccineName dateGiven } } }'


async def test_demo_caches_public_reference_data_and_private_records() -> None:
    async with demo_agencies() as agencies:
        gateway = Gateway.from_supergraph_sdl(
            agencies.supergraph,
            subgraph_urls=agencies.subgraph_urls,
            subgraphs=agencies.subgraphs,
            options=GatewayOptions(cache=demo_cache()),
        )
        try:
            assert gateway.cache is not None
            metrics = gateway.cache.store.metrics
            first = await gateway.execute(VACCINES)
            assert await gateway.execute(VACCINES) == first
            assert first["data"]["vaccines"]
            assert metrics.total("hit", "health", "Vaccine") == 1

            alice = Identity("alice", DEV_ISSUER, agency="health")
            mine = await gateway.execute(RECORD, identity=alice)
            assert await gateway.execute(RECORD, identity=alice) == mine
            assert mine["data"]["citizen"]["immunisations"]
            assert metrics.total("hit", "health", "Citizen") == 1
            assert metrics.total("hit", "identity") == 1

            # anonymous callers never use (or fill) private entries
            hits = metrics.total("hit")
            assert await gateway.execute(RECORD) == mine
            assert await gateway.execute(RECORD) == mine
            assert metrics.total("hit") == hits
        finally:
            await gateway.close()
