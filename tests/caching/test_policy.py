"""Cache-control math: header parsing, Apollo's hint rules over planned fetches, the LRU bound."""

from __future__ import annotations

import pytest

from aggregator.caching.analysis import analyse_fetch
from aggregator.caching.backends.base import CacheWrite
from aggregator.caching.backends.memory import ENTRY_OVERHEAD, MemoryBackend
from aggregator.caching.hints import CacheHints, Hint, read_hints
from aggregator.caching.keys import decode_entry, encode_entry, parse_key_fields, tag_for_key
from aggregator.caching.metrics import CacheMetrics, cache_metric_families, render_prometheus
from aggregator.caching.policy import CachePolicy, ResponsePolicy, Scope, parse_cache_control
from aggregator.config.cache import CacheOverride
from aggregator.gateway import Gateway
from aggregator.planning.plan import Fetch
from tests.caching.agencies import SUPERGRAPH


@pytest.mark.parametrize(
    ("header", "age", "expected"),
    [
        ("max-age=60", None, CachePolicy(60)),
        ("public, max-age=60, s-maxage=30", None, CachePolicy(30)),
        ("private, max-age=60", None, CachePolicy(60, Scope.PRIVATE)),
        ("max-age=60", "50", CachePolicy(10)),
        ("max-age=60", "90", CachePolicy(0)),
        ("no-store, max-age=60", None, CachePolicy(0)),
        ("no-cache", None, CachePolicy(0)),
        ("max-age=soon", None, CachePolicy(0)),  # unparsable: fail closed
        ('MAX-AGE="20", Foo=bar', None, CachePolicy(20)),
    ],
)
def test_cache_control_headers(header: str, age: str | None, expected: CachePolicy) -> None:
    parsed = parse_cache_control(header, age)
    assert parsed is not None
    assert parsed.policy() == expected


def test_no_header_and_no_freshness_say_nothing() -> None:
    assert parse_cache_control(None) is None
    parsed = parse_cache_control("public")
    assert parsed is not None
    assert parsed.policy() is None


def test_response_policy_restricts() -> None:
    policy = ResponsePolicy()
    assert policy.header(has_errors=False, authenticated=False) == "no-store"  # nothing fetched
    policy.include(CachePolicy(300))
    policy.include(CachePolicy(60))
    assert policy.header(has_errors=False, authenticated=False) == "max-age=60, public"
    assert policy.header(has_errors=False, authenticated=True) == "max-age=60, private"
    assert policy.header(has_errors=True, authenticated=False) == "no-store"
    policy.include(CachePolicy(120, Scope.PRIVATE))
    assert policy.header(has_errors=False, authenticated=False) == "max-age=60, private"
    policy.include(CachePolicy(0))
    assert policy.header(has_errors=False, authenticated=False) == "no-store"


def _fetches(query: str) -> dict[str, Fetch]:
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH)
    return {
        f"{f.service_name}{'.entities' if f.requires else ''}": f
        for f in gateway.plan(query).fetches()
    }


def _analyse(
    query: str, hints: CacheHints | None = None, sensitive: frozenset[str] = frozenset()
) -> dict[str, object]:
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH)
    hints = hints or read_hints(gateway.supergraph.document, gateway.supergraph.links)
    out: dict[str, object] = {}
    for name, fetch in _fetches(query).items():
        analysis = analyse_fetch(fetch, gateway.supergraph.model, hints, sensitive)
        if analysis.entity:
            out[name] = {
                t: (p.max_age, p.scope.value, p.explicit_zero) for t, p in analysis.per_type.items()
            }
        else:
            policy = analysis.policy
            out[name] = (policy.max_age, policy.scope.value, policy.explicit_zero)
    return out


def test_field_hint_type_hint_and_defaults_as_apollo_computes_them() -> None:
    assert _analyse("{ licenceClasses { code name description } }") == {
        "catalog": (300, "PUBLIC", False),  # field hint 300, type hint 300
        "records.entities": {"LicenceClass": (300, "PUBLIC", False)},  # the entity type's hint
    }
    # a root field without a hint returning an unhinted type: the default max age (0)
    assert _analyse("{ offices { id hours } }") == {
        "catalog": (0, "PUBLIC", False),
        "records.entities": {"Office": (0, "PUBLIC", False)},
    }
    # an explicit maxAge: 0 stays 0 whatever the operator says
    assert _analyse('{ citizens(ids: ["1"]) { id points } }') == {
        "people": (0, "PRIVATE", True),
        "records.entities": {"Citizen": (60, "PRIVATE", False)},
    }
    # scalars never restrict: the root field's hint decides
    assert _analyse("{ me { id name } }") == {"people": (60, "PRIVATE", False)}


def test_inherit_max_age_takes_the_parents() -> None:
    from pathlib import Path

    bench = Gateway.from_supergraph_sdl(
        (Path(__file__).resolve().parents[2] / "bench" / "supergraph.graphql").read_text()
    )
    query = "{ users { id reviews { id body product { upc } } } }"
    [entity] = [f for f in bench.plan(query).fetches() if f.requires]
    model = bench.supergraph.model

    def entity_policy(hints: CacheHints) -> float:
        return analyse_fetch(entity, model, hints).per_type["User"].max_age

    user = {"User": Hint(100)}
    # Review and Product have no hint: fields returning them fall back to the default, 0
    assert entity_policy(CacheHints(types=user)) == 0
    inherit = {**user, "Review": Hint(inherit=True), "Product": Hint(inherit=True)}
    assert entity_policy(CacheHints(types=inherit)) == 100
    # a field's inheritMaxAge does the same for one field
    by_field = CacheHints(
        types={**user, "Product": Hint(inherit=True)},
        fields={("User", "reviews"): Hint(inherit=True)},
    )
    assert entity_policy(by_field) == 100
    # and a hinted field below still restricts
    tighter = CacheHints(types=inherit, fields={("Review", "product"): Hint(20)})
    assert entity_policy(tighter) == 20


def test_operator_type_overrides_act_as_type_hints() -> None:
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH)
    overrides = {
        "Office": CacheOverride(),
        "LicenceClass": CacheOverride(ttl_s=5, private=True),
    }
    hints = read_hints(gateway.supergraph.document, gateway.supergraph.links, overrides, 45)
    assert hints.type_hint("Office") == Hint(45, None)
    assert hints.type_hint("LicenceClass") == Hint(5, Scope.PRIVATE)
    disabled = read_hints(
        gateway.supergraph.document,
        gateway.supergraph.links,
        {"Office": CacheOverride(enabled=False)},
    )
    assert disabled.disabled_types == frozenset({"Office"})


def test_repeated_hints_on_one_element_combine_restrictively() -> None:
    assert Hint(60).combine(Hint(10, Scope.PRIVATE)) == Hint(10, Scope.PRIVATE)
    assert Hint(None, Scope.PUBLIC).combine(Hint(30)) == Hint(30, Scope.PUBLIC)
    assert Hint(inherit=True).combine(Hint(inherit=True)) == Hint(inherit=True)


def test_sensitive_fields_make_the_fetch_private() -> None:
    result = _analyse(
        "{ licenceClasses { code description } }", sensitive=frozenset({"LicenceClass.description"})
    )
    assert result["records.entities"] == {"LicenceClass": (300, "PRIVATE", False)}
    assert result["catalog"] == (300, "PUBLIC", False)


def test_entries_carry_when_they_were_stored() -> None:
    raw = encode_entry({"a": 1}, 60, stored_at=1000.0)
    assert decode_entry(raw, now=1030.0) == ({"a": 1}, 30.0)
    assert decode_entry(raw, now=1060.0) is None
    assert decode_entry(b"garbage", now=0) is None


def test_key_tags_normalise_values() -> None:
    assert tag_for_key("Product", {"id": 1}) == tag_for_key("Product", {"id": "1"})
    assert tag_for_key("Product", {"a": "1", "b": "2"}) == tag_for_key(
        "Product", {"b": "2", "a": "1"}
    )
    assert tag_for_key("Product", {"id": 1}) != tag_for_key("Order", {"id": 1})
    assert parse_key_fields("id org { id }") == (("id", None), ("org", (("id", None),)))


def test_memory_backend_is_bounded_in_bytes_least_recently_used_out() -> None:
    evicted: list[tuple[str, str]] = []
    backend = MemoryBackend(64 * 1024, on_evict=lambda s, t: evicted.append((s, t)))
    value = b"x" * 1000
    size = len("k000") + len(value) + len("s:a") + ENTRY_OVERHEAD
    for i in range(60):
        backend.set_now([CacheWrite(f"k{i:03d}", value, 60, ("s:a",), "a", f"T{i % 2}")])
        if i == 10:
            backend.get_now(["k000"])  # recently used: survives the trimming
    assert backend.bytes <= 64 * 1024
    assert len(backend) == 64 * 1024 // size
    assert backend.get_now(["k000"]) == [value]
    assert backend.get_now(["k001"]) == [None]
    assert len(evicted) == 60 - len(backend)
    remaining = len(backend)
    assert backend.purge_now(["s:a"]) == remaining
    assert len(backend) == 0
    assert backend.bytes == 0


def test_metrics_render_for_prometheus() -> None:
    metrics = CacheMetrics()
    metrics.inc("hit", "records", "LicenceClass", 3)
    metrics.inc("miss", "records", "LicenceClass")
    metrics.gauges = lambda: {"bytes": 2048.0, "entries": 4.0, "up": 1.0}
    text = render_prometheus(cache_metric_families(metrics))
    assert 'aggregator_cache_hits_total{subgraph="records",type="LicenceClass"} 3' in text
    assert 'aggregator_cache_misses_total{subgraph="records",type="LicenceClass"} 1' in text
    assert "# TYPE aggregator_cache_fills_total counter" in text
    assert "aggregator_cache_bytes 2048" in text
    assert metrics.snapshot()["hit_ratio"] == 0.75
