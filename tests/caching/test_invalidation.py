"""Purging by entity key, type, subgraph and @cacheTag; the admin endpoint; mutations.

Each purge is followed by the query again: what was purged must be fetched
again, what was not must still be served from the cache.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from aggregator.cli import main as cli
from tests.caching.agencies import Agencies
from tests.caching.gateway import ADMIN_TOKEN, Served, serve_gateway, token, write_config

CLASSES = "{ licenceClasses { code name description } }"
LOOKUP = "query($codes: [ID!]!) { lookupClasses(codes: $codes) { code description } }"
ME = "{ me { id name points } }"


async def _warm(gateway: Served, agencies: Agencies) -> None:
    await gateway.post(CLASSES)
    await gateway.post(LOOKUP, {"codes": ["C001", "C002", "C150"]})
    agencies.reset()


async def test_purge_one_entity_by_key(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        await _warm(gateway, agencies)
        purged = await gateway.admin(
            "POST", "/admin/cache/purge", {"type": "LicenceClass", "key": {"code": "C001"}}
        )
        await gateway.post(LOOKUP, {"codes": ["C001", "C002", "C150"]})
        result = await gateway.post(CLASSES)
    assert purged.status == 200
    # the C001 entity, and the root list that holds C001
    assert purged.body == {"purged": 2}
    assert [[r["code"] for r in reps] for reps in agencies["records"].representations()] == [
        ["C001"]
    ]
    assert agencies.counts()["catalog"] == 2  # lookupClasses is never cached; the list was purged
    assert result.body["data"]["licenceClasses"][1]["description"] == "About C001"


async def test_purge_a_whole_type(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        await _warm(gateway, agencies)
        purged = await gateway.admin("POST", "/admin/cache/purge", {"type": "LicenceClass"})
        await gateway.post(CLASSES)
    assert purged.body == {"purged": 22}  # 21 entities (20 listed + C150) and the list
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}


async def test_purge_a_subgraph_keeps_the_others(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        await _warm(gateway, agencies)
        purged = await gateway.admin("POST", "/admin/cache/purge", {"subgraph": "records"})
        await gateway.post(CLASSES)
    assert purged.body == {"purged": 21}
    assert agencies.counts() == {"catalog": 0, "people": 0, "records": 1}


async def test_purge_by_cache_tag(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        alice = token("alice", "dmv")
        await gateway.post(ME, bearer=alice)
        await _warm(gateway, agencies)
        # @cacheTag(name: "reference") is on LicenceClass: every entry holding one
        purged = await gateway.admin("POST", "/admin/cache/purge", {"tag": "reference"})
        await gateway.post(CLASSES)
        await gateway.post(ME, bearer=alice)
    assert purged.body == {"purged": 22}
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}


async def test_purge_requests_are_checked(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        unknown_type = await gateway.admin("POST", "/admin/cache/purge", {"type": "Nope"})
        wrong_key = await gateway.admin(
            "POST", "/admin/cache/purge", {"type": "LicenceClass", "key": {"id": "1"}}
        )
        nothing = await gateway.admin("POST", "/admin/cache/purge", {})
        extra = await gateway.admin("POST", "/admin/cache/purge", {"types": "LicenceClass"})
        no_token = await gateway.admin("POST", "/admin/cache/purge", {"tag": "x"}, token=None)
        wrong_token = await gateway.admin(
            "POST", "/admin/cache/purge", {"tag": "x"}, token=ADMIN_TOKEN + "x"
        )
        get = await gateway.admin("GET", "/admin/cache/purge")
    assert unknown_type.status == 400
    assert unknown_type.body["errors"][0]["message"] == "no type named 'Nope'"
    assert wrong_key.status == 400
    assert "keys: code" in wrong_key.body["errors"][0]["message"]
    assert nothing.status == 400
    assert extra.status == 400
    assert no_token.status == 401
    assert wrong_token.status == 401
    assert no_token.headers["WWW-Authenticate"].startswith("Bearer")
    assert get.status == 405


async def test_no_admin_endpoint_without_a_token(agencies: Agencies, config_dir: Path) -> None:
    section = """
cache:
  backend: memory
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        answer = await gateway.admin("POST", "/admin/cache/purge", {"tag": "reference"})
    assert answer.status == 404


async def test_a_mutation_purges_the_entities_it_returns(
    agencies: Agencies, config_dir: Path
) -> None:
    alice = token("alice", "dmv")
    rename = 'mutation { renameCitizen(id: "alice", name: "Alice B") { id name } }'
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        before = await gateway.post(ME, bearer=alice)
        await gateway.post(ME, bearer=alice)
        assert agencies.counts()["people"] == 1
        renamed = await gateway.post(rename, bearer=alice)
        after = await gateway.post(ME, bearer=alice)
    assert renamed.body == {"data": {"renameCitizen": {"id": "alice", "name": "Alice B"}}}
    assert renamed.headers["Cache-Control"] == "no-store"
    assert before.body["data"]["me"]["name"] == "alice seen by dmv"
    # the cached `me` and Citizen entries of alice were purged: fetched again
    assert agencies.counts() == {"catalog": 0, "people": 3, "records": 2}
    assert after.body["data"]["me"]["points"] == 10
    assert gateway.metrics()["totals"]["purged"] == 2


async def test_mutations_purge_nothing_when_switched_off(
    agencies: Agencies, config_dir: Path
) -> None:
    section = f"""
cache:
  admin_token: {ADMIN_TOKEN}
  invalidate_on_mutation: false
"""
    alice = token("alice", "dmv")
    rename = 'mutation { renameCitizen(id: "alice", name: "Alice B") { id } }'
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        await gateway.post(ME, bearer=alice)
        await gateway.post(rename, bearer=alice)
        await gateway.post(ME, bearer=alice)
    assert agencies.counts()["people"] == 2  # the mutation, and one `me`


async def test_cli_purges_through_the_admin_endpoint(
    agencies: Agencies, config_dir: Path, capsys: object
) -> None:
    config = write_config(config_dir, agencies)
    async with serve_gateway(config) as gateway:
        await _warm(gateway, agencies)
        argv = [
            "cache",
            "purge",
            "--config",
            str(config),
            "--url",
            gateway.url,
            "--type",
            "LicenceClass",
            "--key",
            '{"code": "C002"}',
        ]
        status = await asyncio.to_thread(cli, argv)
        bad = await asyncio.to_thread(
            cli, ["cache", "purge", "--config", str(config), "--url", gateway.url, "--type", "Nope"]
        )
        usage = await asyncio.to_thread(cli, ["cache", "purge", "--url", gateway.url])
        os.environ["AGGREGATOR_TEST_WRONG_TOKEN"] = "w" * 40
        refused = await asyncio.to_thread(
            cli,
            [
                "cache",
                "purge",
                "--url",
                gateway.url,
                "--tag",
                "x",
                "--token-env",
                "AGGREGATOR_TEST_WRONG_TOKEN",
            ],
        )
        await gateway.post(CLASSES)
    out, err = capsys.readouterr()  # type: ignore[attr-defined]
    assert status == 0
    assert "purged 2 entries" in out
    assert bad == 2
    assert "no type named 'Nope'" in err
    assert usage == 2
    assert "name what to purge" in err
    assert refused == 1
    assert "HTTP 401" in err
    assert "Traceback" not in err
    assert agencies.counts()["catalog"] == 1
    assert agencies.counts()["records"] == 1
