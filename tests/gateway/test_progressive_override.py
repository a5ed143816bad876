"""Progressive @override: percent(x) labels are drawn per request, custom labels by config."""

from __future__ import annotations

from pathlib import Path

from aggregator.gateway import Gateway, GatewayOptions

CASE = Path(__file__).parent.parent / "federation" / "cases" / "74-override-progressive-labels"
SUPERGRAPH = (CASE / "supergraph.graphql").read_text()


def test_percent_labels_are_drawn_per_request() -> None:
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH)
    draws = {gateway.active_labels() for _ in range(50)}
    assert draws == {frozenset({"percent(100)"})}


def test_plans_follow_the_active_labels() -> None:
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH)
    plan = str(gateway.plan("{ grants { amount status } }"))
    # percent(100) moved amount to modern; percent(0) keeps status on legacy
    assert 'Fetch(service: "legacy")' in plan
    before, after = plan.split('Fetch(service: "modern")')
    assert "status" in before
    assert "amount" in after


def test_half_percent_label_splits_traffic() -> None:
    sdl = SUPERGRAPH.replace('"percent(0)"', '"percent(50)"')
    gateway = Gateway.from_supergraph_sdl(sdl)
    active = sum("percent(50)" in gateway.active_labels() for _ in range(2000))
    assert 800 < active < 1200


def test_custom_labels_are_off_unless_configured() -> None:
    sdl = SUPERGRAPH.replace('"percent(0)"', '"beta-agencies"')
    assert "beta-agencies" not in Gateway.from_supergraph_sdl(sdl).active_labels()
    enabled = Gateway.from_supergraph_sdl(
        sdl, options=GatewayOptions(override_labels=frozenset({"beta-agencies"}))
    )
    assert "beta-agencies" in enabled.active_labels()
    plan = str(enabled.plan("{ grants { status } }"))
    assert 'Fetch(service: "modern")' in plan
