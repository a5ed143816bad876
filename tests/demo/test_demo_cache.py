"""The demo caches health's vaccines (public reference data) and citizens' records (private)."""

from __future__ import annotations

from aggregator.demo.app import demo_agencies, demo_cache
from aggregator.demo.auth import DEV_ISSUER
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.security.identity import Identity

VACCINES = "{ vaccines { code name } }"
VACCINE_CODES = "{ vaccines { code } }"
RECORD = '{ citizen(id: "C0001") { fullName immunisations { vaccineName dateGiven } } }'
SHOTS = '{ citizen(id: "C0001") { immunisations { vaccineName dateGiven } } }'


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
            assert first["data"]["vaccines"]
            assert await gateway.execute(VACCINES) == first  # the whole response, cached
            assert metrics.total("hit", "", "(response)") == 1
            codes = await gateway.execute(VACCINE_CODES)  # another selection: its own entry
            assert codes["data"]["vaccines"] == [
                {"code": v["code"]} for v in first["data"]["vaccines"]
            ]
            assert metrics.total("miss", "health", "Vaccine") == 2

            alice = Identity(
                "alice", DEV_ISSUER, agency="health", scopes=frozenset({"health:read"})
            )
            mine = await gateway.execute(RECORD, identity=alice)
            assert mine["data"]["citizen"]["immunisations"]
            assert await gateway.execute(RECORD, identity=alice) == mine
            assert metrics.total("hit", "", "(response)") == 2
            # a different query over the same citizen reuses the health entity entry
            shots = await gateway.execute(SHOTS, identity=alice)
            assert (
                shots["data"]["citizen"]["immunisations"]
                == mine["data"]["citizen"]["immunisations"]
            )
            assert metrics.total("hit", "health", "Citizen") == 1

            # anonymous callers never use (or fill) private entries (and may not see the
            # immunisations at all: they need health:read)
            hits = metrics.total("hit")
            for _ in range(2):
                anonymous = await gateway.execute(RECORD)
                assert (
                    anonymous["data"]["citizen"]["fullName"] == mine["data"]["citizen"]["fullName"]
                )
                assert anonymous["data"]["citizen"]["immunisations"] is None
            assert metrics.total("hit") == hits
        finally:
            await gateway.close()
