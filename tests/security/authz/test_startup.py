"""Fail closed at start-up: a supergraph the configuration cannot enforce is refused.

Also the ``authorization:`` config section: every mistake is one line naming file:line.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from aggregator.composition import CompositionSuccess, SubgraphSource, compose
from aggregator.config import (
    AuthorizationConfig,
    AuthorizationMode,
    ConfigError,
    PolicyEngineConfig,
    load_config,
)
from aggregator.registry.serve_config import serve_config
from aggregator.security.authorization import AuthorizationSetupError, check_enforceable
from aggregator.security.requirements import AuthorizationModel
from aggregator.server.run import serve_supergraph
from aggregator.supergraph import load
from tests.gateway.conftest import SUPERGRAPH as PLAIN_SUPERGRAPH
from tests.security.authz import policies
from tests.security.authz.conftest import AGENCY, SUPERGRAPH

ORACLE = Path(__file__).parents[2] / "oracle"
OPA = PolicyEngineConfig("opa", url="http://127.0.0.1:8181", path="aggregator/policies")


def test_directives_without_authentication_refuse_to_start() -> None:
    with pytest.raises(AuthorizationSetupError) as raised:
        check_enforceable(
            load(SUPERGRAPH),
            authentication_configured=False,
            config=AuthorizationConfig(policies=OPA),
            file="aggregator.yaml",
        )
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("aggregator.yaml: the supergraph restricts who may see ")
    assert "no authentication is configured" in message
    assert "authorization.allow_unenforced_directives: true" in message


def test_the_acknowledgement_allows_it_loudly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aggregator.authorization"):
        check_enforceable(
            load(SUPERGRAPH),
            authentication_configured=False,
            config=AuthorizationConfig(allow_unenforced_directives=True, policies=OPA),
        )
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "AUTHORIZATION" in warnings[0].getMessage()
    assert "withheld from everyone" in warnings[0].getMessage()


def test_policy_without_an_engine_refuses_to_start_even_when_acknowledged() -> None:
    for authenticated in (True, False):
        with pytest.raises(AuthorizationSetupError, match="no policy engine is configured"):
            check_enforceable(
                load(SUPERGRAPH),
                authentication_configured=authenticated,
                config=AuthorizationConfig(allow_unenforced_directives=True),
            )


def test_embedded_engine_must_name_every_policy() -> None:
    engine = PolicyEngineConfig(
        "embedded", functions={"member": ("m:f", policies.member), "staff": ("m:g", policies.staff)}
    )
    with pytest.raises(AuthorizationSetupError) as raised:
        check_enforceable(
            load(SUPERGRAPH),
            authentication_configured=True,
            config=AuthorizationConfig(policies=engine),
        )
    assert str(raised.value) == (
        "the supergraph uses @policy loyalty_desk, read_credit_card but "
        "authorization.policies.functions has no function for them"
    )


def test_enforceable_configurations_start() -> None:
    check_enforceable(
        load(SUPERGRAPH), authentication_configured=True, config=AuthorizationConfig(policies=OPA)
    )
    # nothing to enforce: nothing to configure
    check_enforceable(
        load(PLAIN_SUPERGRAPH), authentication_configured=False, config=AuthorizationConfig()
    )


def test_a_mask_on_a_number_refuses_to_start() -> None:
    sdl = SUPERGRAPH.replace("  count: Int\n", '  count: Int @sensitive(mask: "last2")\n')
    with pytest.raises(AuthorizationSetupError, match=r"Stats.count: a Int value cannot be masked"):
        check_enforceable(
            load(sdl), authentication_configured=True, config=AuthorizationConfig(policies=OPA)
        )


def _config(tmp_path: Path, authorization: str) -> Path:
    (tmp_path / "supergraph.graphql").write_text(SUPERGRAPH)
    path = tmp_path / "aggregator.yaml"
    path.write_text("supergraph_file: supergraph.graphql\n" + authorization)
    return path


def test_serve_refuses_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _config(tmp_path, "authorization:\n  mode: reject\n")
    assert serve_config(path) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("aggregator: error: aggregator.yaml: the supergraph restricts who may")


def test_config_section_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T", "s3cret")
    path = _config(
        tmp_path,
        "authorization:\n"
        "  mode: dry_run\n"
        "  allow_unenforced_directives: true\n"
        "  policies:\n"
        "    engine: embedded\n"
        "    timeout_s: 0.25\n"
        "    functions:\n"
        "      read_credit_card: tests.security.authz.policies:read_credit_card\n",
    )
    config = load_config(path).authorization
    assert config.mode is AuthorizationMode.DRY_RUN
    assert config.allow_unenforced_directives is True
    assert config.policies is not None
    assert config.policies.timeout_s == 0.25
    assert config.policies.functions["read_credit_card"] == (
        "tests.security.authz.policies:read_credit_card",
        policies.read_credit_card,
    )
    opa = load_config(
        _config(
            tmp_path,
            "authorization:\n  policies:\n    engine: opa\n    url: http://opa:8181\n"
            "    path: /aggregator/policies/\n    headers:\n      authorization: Bearer ${T}\n",
        )
    )
    assert opa.authorization.policies is not None
    assert opa.authorization.policies.path == "aggregator/policies"
    assert opa.authorization.policies.headers == {"authorization": "Bearer s3cret"}
    assert load_config(_config(tmp_path, "")).authorization == AuthorizationConfig()


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "  mod: filter\n",
            "aggregator.yaml:3: authorization.mod: unknown key (did you mean 'mode'?)",
        ),
        (
            "  mode: lenient\n",
            "aggregator.yaml:3: authorization.mode: must be one of filter, reject, dry_run, got "
            "'lenient'",
        ),
        (
            "  allow_unenforced_directives: yes please\n",
            "aggregator.yaml:3: authorization.allow_unenforced_directives: must be true or false, "
            "got 'yes please'",
        ),
        (
            "  policies:\n    engine: rego\n",
            "aggregator.yaml:4: authorization.policies.engine: must be opa or embedded, got 'rego'",
        ),
        (
            "  policies:\n    engine: opa\n    url: http://opa:8181\n",
            "aggregator.yaml:4: authorization.policies.path: required with engine: opa",
        ),
        (
            "  policies:\n    engine: opa\n    url: http://opa:8181\n    path: a/b\n"
            "    functions: {}\n",
            "aggregator.yaml:7: authorization.policies.functions: only used with engine: embedded",
        ),
        (
            "  policies:\n    engine: embedded\n    functions:\n"
            "      p: tests.security.authz.nope:f\n",
            "aggregator.yaml:6: authorization.policies.functions.p: cannot import "
            "tests.security.authz.nope: No module named 'tests.security.authz.nope'",
        ),
        (
            "  policies:\n    engine: embedded\n    functions:\n"
            "      p: tests.security.authz.policies:nope\n",
            "aggregator.yaml:6: authorization.policies.functions.p: "
            "tests.security.authz.policies has no function 'nope'",
        ),
        (
            "  policies:\n    engine: embedded\n    functions:\n      p: not a target\n",
            "aggregator.yaml:6: authorization.policies.functions.p: expected "
            "'package.module:function', got 'not a target'",
        ),
        (
            "  policies:\n    engine: opa\n    url: http://opa\n    path: a b\n",
            "aggregator.yaml:6: authorization.policies.path: expected an OPA data path like "
            "'aggregator/policies', got 'a b'",
        ),
        (
            "  policies:\n    engine: embedded\n    timeout_s: 0\n    functions: {}\n",
            "aggregator.yaml:5: authorization.policies.timeout_s: must be greater than 0, got 0",
        ),
    ],
)
def test_config_mistakes_name_file_and_line(tmp_path: Path, section: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(_config(tmp_path, "authorization:\n" + section))
    assert str(raised.value) == expected


def test_fixture_supergraph_is_what_apollo_composes(tmp_path: Path) -> None:
    """The committed supergraph is @apollo/composition's output for the committed subgraphs
    (re-compose with ``node tests/oracle/compose.mjs tests/security/fixtures/agency``)."""
    for name in ("accounts.graphql", "reviews.graphql"):
        (tmp_path / name).write_text((AGENCY / name).read_text())
    node = shutil.which("node")
    assert node is not None, "node is needed (scripts/setup installs it)"
    subprocess.run(
        [node, str(ORACLE / "compose.mjs"), str(tmp_path)], check=True, capture_output=True
    )
    assert (tmp_path / "supergraph.graphql").read_text() == SUPERGRAPH


def test_our_composer_carries_the_same_requirements() -> None:
    """``aggregator compose`` keeps the trio and the @composeDirective'd @sensitive as Apollo
    does: the gateway reads the same rules from either supergraph."""
    sources = [
        SubgraphSource(
            name, f"http://{name}.invalid/graphql", (AGENCY / f"{name}.graphql").read_text()
        )
        for name in ("accounts", "reviews")
    ]
    result = compose(sources)
    assert isinstance(result, CompositionSuccess), result
    ours_supergraph = load(result.supergraph_sdl)
    ours = AuthorizationModel(ours_supergraph)
    apollos = AuthorizationModel(load(SUPERGRAPH))

    def rules(model: AuthorizationModel) -> dict[str, object]:
        out: dict[str, object] = {}
        for name, type_model in ours_supergraph.model.types.items():
            out[name] = model.type_requirement(name)
            for field_name in type_model.fields:
                rule = model.field_rule(name, field_name)
                sensitivity = rule.sensitivity
                out[rule.coordinate] = (
                    rule.requirement,
                    None
                    if sensitivity is None
                    else (sensitivity.mask_style, sensitivity.unmask, sensitivity.purposes),
                )
        return out

    assert rules(ours) == rules(apollos)
    assert ours.policy_names() == apollos.policy_names()


def test_serve_supergraph_without_config_refuses_directives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``serve --supergraph`` cannot configure authentication: directives would go unenforced."""
    assert serve_supergraph(AGENCY / "supergraph.graphql", host="127.0.0.1", port=0) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(
        "aggregator: error: supergraph.graphql: the supergraph restricts who may see "
    )
    assert err.endswith(
        "serve it with --config aggregator.yaml, which configures authentication and authorization"
    )
