"""The demo protects what issue 9 asks, and ``aggregator compose`` agrees with Apollo on it."""

from __future__ import annotations

from pathlib import Path

from aggregator.config import load_config
from aggregator.registry.build import build_supergraph
from aggregator.security.requirements import AuthorizationModel, Requirement
from aggregator.supergraph import load

ROOT = Path(__file__).resolve().parents[3]


def _scopes(name: str) -> Requirement:
    return Requirement(scopes=frozenset({frozenset({frozenset({name})})}))


Rule = tuple[str, Requirement, tuple[str, Requirement] | None]


def _rules(model: AuthorizationModel, names: list[tuple[str, str]]) -> list[Rule]:
    out: list[Rule] = []
    for parent, field in names:
        rule = model.field_rule(parent, field)
        sensitivity = rule.sensitivity
        out.append(
            (
                rule.coordinate,
                rule.requirement,
                None if sensitivity is None else (sensitivity.mask_style, sensitivity.unmask),
            )
        )
    return out


async def test_demo_rules_and_our_composer_agrees_with_apollo() -> None:
    apollo = load((ROOT / "schemas/demo/supergraph.graphql").read_text())
    config = load_config(ROOT / "tests/config/fixtures/demo-agencies.yaml")
    ours = load(await build_supergraph(config))
    fields = [
        (name, field)
        for name, type_model in apollo.model.types.items()
        for field in type_model.fields
    ]
    apollo_rules = AuthorizationModel(apollo)
    assert _rules(AuthorizationModel(ours), fields) == _rules(apollo_rules, fields)

    protected = {
        coordinate: (requirement, sensitivity)
        for coordinate, requirement, sensitivity in _rules(apollo_rules, fields)
        if not requirement.empty or sensitivity is not None
    }
    assert protected == {
        "Citizen.address": (Requirement(authenticated=True), None),
        "Citizen.taxReturns": (_scopes("tax:read"), None),
        "Citizen.immunisations": (_scopes("health:read"), None),
        "DrivingLicence.number": (Requirement(), ("last4", _scopes("dmv:licence:read"))),
    }
