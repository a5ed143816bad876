"""The hardening sections of aggregator.yaml: values, mode defaults, and errors naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import ConfigError, parse_config
from aggregator.config.production import Mode
from aggregator.security.ratelimit import KeyKind
from aggregator.security.trusted_documents import Enforcement
from aggregator.transport.redaction import ErrorPolicy


def test_every_section_loads(tmp_path: Path) -> None:
    manifest = tmp_path / "ops.json"
    manifest.write_text("{}")
    config = parse_config(f"""
mode: production
server: {{max_concurrent_requests: 100, request_timeout_s: 10, document_workers: 2,
          redis_url: "redis://127.0.0.1:6379/0"}}
limits: {{max_depth: 12, max_aliases: null, warn_only: true}}
demand_control: {{max_cost: 5000, list_size: 20}}
memory: {{documents_bytes: 1000000, document_max_bytes: 100000}}
subgraph_defaults:
  timeout_s: 4
  errors: message_and_code
  retry: {{max_retries: 1, budget_ratio: 0.1}}
  circuit_breaker: false
trusted_documents: {{manifests: [{manifest}], mode: log_unlisted}}
rate_limits: {{capacity: 50, refill_per_s: 5, key: [subject, client, ip], store: redis}}
subgraphs:
  - name: dmv
    url: https://dmv.gov/graphql
    errors: generic
    max_response_bytes: 2048
    circuit_breaker: {{failure_threshold: 2, open_s: 3}}
  - name: tax
    url: https://tax.gov/graphql
  - name: identity
    python: resolvers.identity:schema
""")
    assert config.mode is Mode.PRODUCTION
    assert (
        config.server.max_concurrent_requests,
        config.server.request_timeout_s,
        config.server.document_workers,
    ) == (100, 10.0, 2)
    assert (config.limits.max_depth, config.limits.max_aliases, config.limits.warn_only) == (
        12,
        None,
        True,
    )
    assert config.limits.max_root_fields == 20  # the default stays
    assert config.demand_control is not None
    assert (config.demand_control.max_cost, config.demand_control.list_size) == (5000, 20)
    assert config.memory.document_max_bytes == 100_000
    dmv, tax, identity = config.subgraphs
    assert dmv.resilience.errors is ErrorPolicy.GENERIC
    assert dmv.max_response_bytes == 2048
    assert dmv.resilience.circuit_breaker is not None
    assert dmv.resilience.circuit_breaker.failure_threshold == 2
    assert dmv.resilience.retry is not None
    assert dmv.resilience.retry.max_retries == 1
    assert dmv.timeout_s == 4.0
    assert tax.resilience.errors is ErrorPolicy.MESSAGE_AND_CODE
    assert tax.resilience.circuit_breaker is None
    assert identity.resilience.errors is ErrorPolicy.MESSAGE_AND_CODE
    assert config.trusted_documents is not None
    assert config.trusted_documents.enforcement is Enforcement.LOG_UNLISTED
    assert config.rate_limits is not None
    assert config.rate_limits.policy.keys == (KeyKind.SUBJECT, KeyKind.CLIENT, KeyKind.IP)


def test_production_is_the_default_and_development_turns_the_conveniences_on() -> None:
    base = "subgraphs: [{name: a, url: http://a/graphql}]\n"
    production = parse_config(base)
    development = parse_config("mode: development\n" + base)
    overridden = parse_config("mode: development\nserver: {introspection: false}\n" + base)
    flags = ("graphiql", "introspection", "suggestions", "apq")
    assert [getattr(production.server, f) for f in flags] == [False] * 4
    assert [getattr(development.server, f) for f in flags] == [True] * 4
    assert overridden.server.introspection is False
    assert overridden.server.graphiql is True
    assert production.subgraphs[0].resilience.errors is ErrorPolicy.GENERIC
    assert development.subgraphs[0].resilience.errors is ErrorPolicy.PASS_THROUGH


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mode: staging\n", "<config>:1: mode: must be production or development, got 'staging'"),
        (
            "limits: {max_depth: 0}\n",
            "<config>:1: limits.max_depth: must be an integer > 0 or null, got 0",
        ),
        (
            "limits: {max_deep: 3}\n",
            "<config>:1: limits.max_deep: unknown key (did you mean 'max_depth'?)",
        ),
        (
            "subgraph_defaults: {errors: verbose}\n",
            "<config>:1: subgraph_defaults.errors: must be one of pass_through, message_and_code, "
            "generic, got 'verbose'",
        ),
        (
            "subgraph_defaults:\n  retry: {budget_ratio: 2}\n",
            "<config>:2: subgraph_defaults.retry.budget_ratio: must be between 0 and 1, got 2",
        ),
        (
            "rate_limits: {store: redis}\n",
            "<config>:1: rate_limits.store: the redis store needs server.redis_url",
        ),
        (
            "rate_limits: {key: [ip, token]}\n",
            "<config>:1: rate_limits.key[1]: must be one of subject, agency, client, ip, "
            "got 'token'",
        ),
        (
            "memory: {documents_bytes: 10, document_max_bytes: 20}\n",
            "<config>:1: memory.document_max_bytes: must not be larger than memory.documents_bytes "
            "(10)",
        ),
        (
            "server: {document_workers: -1}\n",
            "<config>:1: server.document_workers: must be >= 0, got -1",
        ),
        (
            "demand_control: {max_cost: -5}\n",
            "<config>:1: demand_control.max_cost: must be an integer > 0 or null, got -5",
        ),
    ],
)
def test_bad_values_name_the_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text + "subgraphs: [{name: a, url: http://a/graphql}]\n")
    assert str(info.value) == message


def test_remote_only_settings_are_refused_for_in_process_subgraphs() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(
            "subgraphs:\n  - name: identity\n    python: resolvers.identity:schema\n"
            "    retry: {max_retries: 3}\n"
        )
    assert str(info.value) == (
        "<config>:4: subgraphs[0].retry: only used with 'url' (in-process subgraphs make no "
        "HTTP requests of their own)"
    )


def test_serve_supergraph_is_production_unless_asked_for_dev() -> None:
    from aggregator.server.run import supergraph_config

    production = supergraph_config({"subgraph_urls": {"dmv": "http://dmv/graphql"}})
    development = supergraph_config(
        {
            "mode": "development",
            "subgraph_urls": {"dmv": "http://dmv/graphql"},
            "subgraph_timeout_s": 3,
        }
    )
    assert production.mode is Mode.PRODUCTION
    assert production.server.introspection is False
    assert production.subgraphs[0].resilience.errors is ErrorPolicy.GENERIC
    assert production.subgraphs[0].timeout_s == 30.0
    assert development.server.introspection is True
    assert development.subgraphs[0].resilience.errors is ErrorPolicy.PASS_THROUGH
    assert development.subgraphs[0].timeout_s == 3.0
    assert development.subgraph_defaults.timeout_s == 3.0
