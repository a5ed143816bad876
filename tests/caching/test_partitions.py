"""No entry crosses users, agencies or grant sets; anonymous callers never see private data.

The subgraphs answer from the identity headers the gateway inserts, so an
entry served to the wrong caller would be a wrong answer, not just a missing
subgraph request: each test checks both.
"""

from __future__ import annotations

from pathlib import Path

from aggregator.caching import CacheSetup, CacheStore, partition_for
from aggregator.caching.policy import Scope
from aggregator.config.cache import CacheConfig
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.security.identity import Identity
from tests.caching.agencies import Agencies
from tests.caching.gateway import serve_gateway, token, write_config

ME = "{ me { id name points } }"
CLASSES = "{ licenceClasses { code name description } }"
CITIZENS = "query($ids: [ID!]!) { citizens(ids: $ids) { id points } }"


async def test_private_entries_are_keyed_by_subject(agencies: Agencies, config_dir: Path) -> None:
    alice, bob = token("alice", "dmv"), token("bob", "dmv")
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        first = await gateway.post(ME, bearer=alice)
        again = await gateway.post(ME, bearer=alice)
        assert agencies.counts() == {"catalog": 0, "people": 1, "records": 1}
        other = await gateway.post(ME, bearer=bob)
    assert agencies.counts() == {"catalog": 0, "people": 2, "records": 2}
    assert (
        first.body
        == again.body
        == {"data": {"me": {"id": "alice", "name": "alice seen by dmv", "points": 10}}}
    )
    assert other.body == {"data": {"me": {"id": "bob", "name": "bob seen by dmv", "points": 10}}}
    assert first.headers["Cache-Control"] == "max-age=60, private"


async def test_two_agencies_never_share_an_entry(agencies: Agencies, config_dir: Path) -> None:
    """Leak test: same query, same subject string, different agency."""
    dmv, tax = token("alice", "dmv"), token("alice", "tax")
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        from_dmv = await gateway.post(ME, bearer=dmv)
        from_tax = await gateway.post(ME, bearer=tax)
        assert agencies.counts() == {"catalog": 0, "people": 2, "records": 2}
        # each agency's entry is still there for itself
        assert (await gateway.post(ME, bearer=dmv)).body == from_dmv.body
        assert (await gateway.post(ME, bearer=tax)).body == from_tax.body
        assert agencies.counts() == {"catalog": 0, "people": 2, "records": 2}
        # public data too: shared within an agency, never across
        await gateway.post(CLASSES, bearer=dmv)
        await gateway.post(CLASSES, bearer=token("bob", "dmv"))
        await gateway.post(CLASSES, bearer=tax)
    assert from_dmv.body["data"]["me"] == {"id": "alice", "name": "alice seen by dmv", "points": 10}
    assert from_tax.body["data"]["me"] == {"id": "alice", "name": "alice seen by tax", "points": 20}
    assert agencies.counts()["catalog"] == 2


async def test_different_grants_never_share_an_entry(agencies: Agencies, config_dir: Path) -> None:
    reader = token("alice", "dmv", ("licences:read",))
    officer = token("alice", "dmv", ("licences:read", "licences:write"))
    same_grants = token("carol", "dmv", ("licences:read",))
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        await gateway.post(CLASSES, bearer=reader)
        await gateway.post(CLASSES, bearer=officer)
        assert agencies.counts()["catalog"] == 2
        await gateway.post(CLASSES, bearer=same_grants)  # public data, same agency and grants
    assert agencies.counts()["catalog"] == 2


async def test_anonymous_callers_never_read_or_write_private_entries(
    agencies: Agencies, config_dir: Path
) -> None:
    ids = {"ids": ["1", "2"]}
    async with serve_gateway(write_config(config_dir, agencies)) as gateway:
        signed_in = await gateway.post(CITIZENS, ids, bearer=token("alice", "dmv"))
        anonymous = await gateway.post(CITIZENS, ids)
        again = await gateway.post(CITIZENS, ids)
    # Citizen is PRIVATE: the signed-in fill is not readable anonymously, and anonymous
    # requests store nothing
    assert agencies.counts()["records"] == 3
    assert signed_in.body["data"]["citizens"] == [
        {"id": "1", "points": 10},
        {"id": "2", "points": 10},
    ]
    assert anonymous.body == again.body
    assert anonymous.body["data"]["citizens"] == [
        {"id": "1", "points": 20},
        {"id": "2", "points": 20},
    ]
    assert anonymous.headers["Cache-Control"] == "no-store"


async def test_private_data_is_not_cached_when_the_operator_says_so(
    agencies: Agencies, config_dir: Path
) -> None:
    section = """
cache:
  private: false
"""
    alice = token("alice", "dmv")
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        await gateway.post(ME, bearer=alice)
        await gateway.post(ME, bearer=alice)
    assert agencies.counts() == {"catalog": 0, "people": 2, "records": 2}


async def test_sensitive_fields_make_a_fetch_private(agencies: Agencies) -> None:
    """A masked field's value is never stored where another subject could read it."""
    config = CacheConfig(enabled=True)
    setup = CacheSetup(
        CacheStore.from_config(config), config, sensitive=frozenset({"LicenceClass.description"})
    )
    gateway = Gateway.from_supergraph_sdl(
        agencies.supergraph(), options=GatewayOptions(cache=setup)
    )
    alice = Identity("alice", "https://issuer.example", agency="dmv")
    bob = Identity("bob", "https://issuer.example", agency="dmv")
    try:
        await gateway.execute(CLASSES)
        await gateway.execute(CLASSES)
        # anonymous: the root list is cached, the sensitive entity fetch never is
        assert agencies.counts() == {"catalog": 1, "people": 0, "records": 2}
        await gateway.execute(CLASSES, identity=alice)
        await gateway.execute(CLASSES, identity=alice)
        await gateway.execute(CLASSES, identity=bob)
        # per subject: alice's second request hit her own entries, bob has none of his own
        assert agencies.counts()["records"] == 4
    finally:
        await gateway.close()


def test_partitions_separate_agency_grants_and_subject() -> None:
    base = Identity("alice", "https://issuer.example", agency="dmv", scopes=frozenset({"a"}))
    other_agency = Identity(
        "alice", "https://issuer.example", agency="tax", scopes=frozenset({"a"})
    )
    other_grants = Identity(
        "alice", "https://issuer.example", agency="dmv", scopes=frozenset({"b"})
    )
    other_issuer = Identity("alice", "https://other.example", agency="dmv", scopes=frozenset({"a"}))
    purpose = Identity(
        "alice", "https://issuer.example", agency="dmv", scopes=frozenset({"a"}), purpose="audit"
    )
    partitions = [
        partition_for(i) for i in (base, other_agency, other_grants, other_issuer, purpose)
    ]
    assert len({p.public_token for p in partitions}) == 5
    assert len({p.private_token for p in partitions}) == 5
    anonymous = partition_for(None)
    assert anonymous.token(Scope.PRIVATE) is None
    assert anonymous.public_token not in {p.public_token for p in partitions}
    no_agency = partition_for(Identity("alice", "https://issuer.example"))
    assert no_agency.public_token != anonymous.public_token
    # the grants part is opaque: authorization's outcome key replaces the derived one
    assert partition_for(base, "outcome-1").public_token != partition_for(base).public_token
    # ... so two callers authorization treats alike share public entries
    assert partition_for(base, "outcome-1") == partition_for(other_grants, "outcome-1")
    # nothing readable in the tokens
    assert all("alice" not in (p.private_token or "") for p in partitions)


async def test_vary_headers_split_entries_by_their_values(
    agencies: Agencies, config_dir: Path
) -> None:
    section = """
cache:
  vary_headers: [Accept-Language]
"""
    async with serve_gateway(write_config(config_dir, agencies, section)) as gateway:
        for language in ("en", "en", "fr", None, None):
            headers = {"accept-language": language} if language else {}
            async with gateway.session.post(
                gateway.url + "/graphql", json={"query": CLASSES}, headers=headers
            ) as response:
                assert response.status == 200
    assert agencies.counts()["catalog"] == 3  # en, fr and none: one fill each
