"""Hits, partial hits, expiry, errors, headers and overrides, against real subgraphs.

Every test counts the requests the subgraphs received: a cache is a number
of requests not made, and the answers must stay identical to uncached ones.
"""

from __future__ import annotations

from pathlib import Path

from aggregator.caching import CacheSetup, CacheStore
from aggregator.config.cache import CacheConfig
from aggregator.gateway import Gateway, GatewayOptions
from tests.caching.agencies import Agencies
from tests.caching.gateway import ADMIN_TOKEN, serve_gateway, token, write_config

CLASSES = "{ licenceClasses { code name description } }"
LOOKUP = "query($codes: [ID!]!) { lookupClasses(codes: $codes) { code description } }"
OFFICES = "{ offices { id name hours } }"


def codes(start: int, stop: int) -> list[str]:
    return [f"C{i:03d}" for i in range(start, stop)]


async def test_a_repeated_query_is_served_from_the_cache(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(CLASSES)
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
        second = await gateway.post(CLASSES)
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
    assert first.body == second.body
    assert first.body["data"]["licenceClasses"][3] == {
        "code": "C003",
        "name": "Class 3",
        "description": "About C003",
    }
    totals = gateway.metrics()["totals"]
    assert totals["hit"] == 21  # the root entry and 20 LicenceClass entities
    assert totals["fill"] == 21


async def test_partial_hit_fetches_only_the_missing_entities_in_one_request(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        warm = await gateway.post(LOOKUP, {"codes": codes(0, 90)})
        assert len(agencies["records"].representations()[-1]) == 90
        before = len(agencies["records"].requests)
        result = await gateway.post(LOOKUP, {"codes": codes(0, 100)})
    assert len(agencies["records"].requests) == before + 1
    sent = agencies["records"].representations()[-1]
    assert [r["code"] for r in sent] == codes(90, 100)
    assert result.body["data"]["lookupClasses"] == [
        {"code": c, "description": f"About {c}"} for c in codes(0, 100)
    ]
    assert warm.body["data"]["lookupClasses"] == result.body["data"]["lookupClasses"][:90]
    # the list itself says maxAge: 0, so the root fetch ran both times
    assert agencies.counts()["catalog"] == 2


async def test_entries_expire_after_their_max_age(agencies: Agencies) -> None:
    now = [1_000_000.0]
    config = CacheConfig(enabled=True)
    setup = CacheSetup(CacheStore.from_config(config, clock=lambda: now[0]), config)
    gateway = Gateway.from_supergraph_sdl(
        agencies.supergraph(), options=GatewayOptions(cache=setup)
    )
    try:
        expected = await gateway.execute(CLASSES)
        now[0] += 299
        assert await gateway.execute(CLASSES) == expected
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
        now[0] += 2  # 301 s after the fill: both entries are past maxAge: 300
        assert await gateway.execute(CLASSES) == expected
        assert agencies.counts() == {"catalog": 2, "people": 0, "records": 2}
    finally:
        await gateway.close()


async def test_errors_are_never_cached(agencies: Agencies, config_dir: Path) -> None:
    broken = '{ licenceClass(code: "BAD") { code } }'
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(broken)
        second = await gateway.post(broken)
    assert first.body["errors"]
    assert second.body["errors"]
    assert first.headers["Cache-Control"] == "no-store"
    assert agencies.counts()["catalog"] == 2


async def test_only_entities_without_errors_are_cached(
    agencies: Agencies, config_dir: Path
) -> None:
    mixed = ["C001", "X01", "C002"]
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(LOOKUP, {"codes": mixed})
        second = await gateway.post(LOOKUP, {"codes": mixed})
    assert first.body == second.body
    assert first.body["data"]["lookupClasses"][1] == {"code": "X01", "description": None}
    assert first.body["errors"][0]["path"] == ["lookupClasses", 1, "description"]
    assert [[r["code"] for r in reps] for reps in agencies["records"].representations()] == [
        mixed,
        ["X01"],
    ]


async def test_a_subgraph_cache_control_header_makes_unhinted_data_cacheable(
    agencies: Agencies, config_dir: Path
) -> None:
    agencies["catalog"].response_headers["Cache-Control"] = "max-age=30, public"
    agencies["records"].response_headers["Cache-Control"] = "max-age=30, public"
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(OFFICES)
        second = await gateway.post(OFFICES)
        third = await gateway.post(OFFICES)
    assert (
        first.body
        == second.body
        == third.body
        == {"data": {"offices": [{"id": "O1", "name": "Central", "hours": "9-5"}]}}
    )
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
    assert first.headers["Cache-Control"] == "max-age=30, public"


async def test_no_store_from_a_subgraph_wins_over_hints(
    agencies: Agencies, config_dir: Path
) -> None:
    agencies["catalog"].response_headers["Cache-Control"] = "no-store"
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(CLASSES)
        await gateway.post(CLASSES)
    assert agencies.counts()["catalog"] == 2
    assert agencies.counts()["records"] == 1  # the entities (no header) were cached
    assert first.headers["Cache-Control"] == "no-store"


async def test_a_shorter_header_max_age_restricts_the_hint(
    agencies: Agencies, config_dir: Path
) -> None:
    agencies["catalog"].response_headers["Cache-Control"] = "max-age=5"
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(CLASSES)
    assert first.headers["Cache-Control"] == "max-age=5, public"


async def test_unhinted_data_is_never_cached_and_answers_no_store(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(OFFICES)
        await gateway.post(OFFICES)
    assert agencies.counts() == {"catalog": 2, "people": 0, "records": 2}
    assert first.headers["Cache-Control"] == "no-store"
    assert gateway.metrics()["totals"]["miss"] == 0  # not even looked up


async def test_operator_overrides_mark_subgraphs_and_types_cacheable(
    agencies: Agencies, config_dir: Path
) -> None:
    section = """
cache:
  default_ttl_s: 45
  subgraphs:
    catalog: {ttl_s: 120}
  types:
    Office:
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        first = await gateway.post(OFFICES)
        await gateway.post(OFFICES)
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 1}
    # catalog's operator TTL (120) and Office's default TTL (45) for the records entity
    assert first.headers["Cache-Control"] == "max-age=45, public"


async def test_switched_off_subgraphs_and_types_are_not_stored(
    agencies: Agencies, config_dir: Path
) -> None:
    section = """
cache:
  subgraphs:
    records: {enabled: false}
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        first = await gateway.post(CLASSES)
        await gateway.post(CLASSES)
    assert agencies.counts() == {"catalog": 1, "people": 0, "records": 2}
    # the data itself stays cacheable for clients
    assert first.headers["Cache-Control"] == "max-age=300, public"


async def test_a_disabled_type_disables_every_fetch_that_holds_it(
    agencies: Agencies, config_dir: Path
) -> None:
    section = """
cache:
  types:
    LicenceClass: {enabled: false}
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        await gateway.post(CLASSES)
        await gateway.post(CLASSES)
    assert agencies.counts() == {"catalog": 2, "people": 0, "records": 2}


async def test_with_the_resolver_cache_off_responses_still_get_cache_headers(
    agencies: Agencies, config_dir: Path
) -> None:
    section = """
cache:
  enabled: false
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        first = await gateway.post(CLASSES)
        await gateway.post(CLASSES)
    assert agencies.counts() == {"catalog": 2, "people": 0, "records": 2}
    assert first.headers["Cache-Control"] == "max-age=300, public"


async def test_response_headers_can_be_turned_off(agencies: Agencies, config_dir: Path) -> None:
    section = """
cache:
  response_headers: false
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        first = await gateway.post(CLASSES)
        await gateway.post(CLASSES)
    assert "Cache-Control" not in first.headers
    assert agencies.counts()["catalog"] == 1


async def test_response_cache_control_private_for_authenticated_callers(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        anonymous = await gateway.post(CLASSES)
        signed_in = await gateway.post(CLASSES, bearer=token("alice", "dmv"))
        mixed = await gateway.post("{ licenceClasses { code } offices { id } }")
    assert anonymous.headers["Cache-Control"] == "max-age=300, public"
    # the same public data, but shaped by the caller's grants: never for shared caches
    assert signed_in.headers["Cache-Control"].endswith(", private")
    assert anonymous.headers["Vary"] == "Authorization"
    # one uncacheable part makes the whole response uncacheable
    assert mixed.headers["Cache-Control"] == "no-store"


async def test_get_answers_304_when_the_etag_matches(agencies: Agencies, config_dir: Path) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.get(CLASSES)
        etag = first.headers["ETag"]
        again = await gateway.get(CLASSES, headers={"If-None-Match": etag})
        other = await gateway.get(CLASSES, headers={"If-None-Match": '"something-else"'})
        weak = await gateway.get(CLASSES, headers={"If-None-Match": f'W/{etag}, "x"'})
        posted = await gateway.post(CLASSES)
    assert first.status == 200
    assert first.body["data"]["licenceClasses"]
    assert again.status == 304
    assert again.body is None
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"].startswith("max-age=")
    assert other.status == 200
    assert other.body == first.body
    assert weak.status == 304
    assert "ETag" not in posted.headers


async def test_stats_endpoint_reports_counters_per_subgraph_and_type(
    agencies: Agencies, config_dir: Path
) -> None:
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        await gateway.post(CLASSES)
        await gateway.post(CLASSES)
        stats = await gateway.admin("GET", "/admin/cache/stats")
        refused = await gateway.admin("GET", "/admin/cache/stats", token="wrong" * 8)
    assert stats.status == 200
    assert stats.body["hit_ratio"] == 0.5
    assert {
        "event": "hit",
        "subgraph": "records",
        "type": "LicenceClass",
        "count": 20,
    } in stats.body["counters"]
    assert {"event": "hit", "subgraph": "catalog", "type": "LicenceClass", "count": 1} in (
        stats.body["counters"]
    )
    assert refused.status == 401
    assert ADMIN_TOKEN not in str(stats.body)
