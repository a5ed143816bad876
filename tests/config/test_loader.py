"""aggregator.yaml loading: good files become dataclasses, bad ones name file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import (
    ConfigError,
    GatewayConfig,
    SdlSource,
    load_config,
    parse_config,
)


def write(tmp_path: Path, text: str, name: str = "aggregator.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return info.value


def test_full_config_loads_with_defaults_and_resolved_paths(tmp_path: Path) -> None:
    (tmp_path / "sdl").mkdir()
    write(tmp_path, "type Query { a: Int }", "sdl/inventory.graphql")
    write(tmp_path, "query Q { a }", "q.graphql")
    ca = write(tmp_path, "not checked here", "ca.pem")
    path = write(
        tmp_path,
        """
server:
  host: 0.0.0.0
  port: 8080
  expose_query_plans: true
poll_interval_s: 5
subgraphs:
  - name: products
    url: https://products.example.gov/graphql
    timeout_s: 2.5
    headers: {X-Agency: dmv, Authorization: "Bearer ${TOKEN}"}
    tls: {ca_file: ca.pem}
  - name: inventory
    url: http://127.0.0.1:4002/graphql
    sdl_source: file
    sdl_file: sdl/inventory.graphql
  - name: legacy
    url: http://127.0.0.1:4003/graphql
    sdl_source: introspection
    optional: true
example_operations:
  - {title: From file, file: q.graphql}
  - {title: Inline, query: "{ a }"}
""",
    )
    config = parse_config(path.read_text(), file=path, env={"TOKEN": "s3cret"})
    assert isinstance(config, GatewayConfig)
    assert config.server.host == "0.0.0.0"
    assert config.server.port == 8080
    assert config.server.graphiql is False  # production mode unless the file says otherwise
    assert config.server.expose_query_plans is True
    assert config.poll_interval_s == 5.0
    products, inventory, legacy = config.subgraphs
    assert products.sdl_source is SdlSource.SERVICE
    assert products.timeout_s == 2.5
    assert products.headers == {"X-Agency": "dmv", "Authorization": "Bearer s3cret"}
    assert products.tls is not None
    assert products.tls.ca_file == ca
    assert inventory.sdl_file == tmp_path / "sdl" / "inventory.graphql"
    assert inventory.timeout_s == 30.0
    assert legacy.sdl_source is SdlSource.INTROSPECTION
    assert legacy.optional is True
    assert [e.query for e in config.example_operations] == ["query Q { a }", "{ a }"]
    assert config.subgraph("legacy") is legacy
    assert config.subgraph_urls() == {
        "products": "https://products.example.gov/graphql",
        "inventory": "http://127.0.0.1:4002/graphql",
        "legacy": "http://127.0.0.1:4003/graphql",
    }
    # TLS files too: a rotated certificate applies on hot reload
    assert config.watched_files() == (path, inventory.sdl_file, ca)


def test_shutdown_settings_default_to_no_delay_and_30_seconds(tmp_path: Path) -> None:
    (tmp_path / "s.graphql").write_text("type Query { a: Int }")
    default = load_config(write(tmp_path, "supergraph_file: s.graphql\n"))
    assert (default.server.shutdown_delay_s, default.server.shutdown_timeout_s) == (0.0, 30.0)
    text = "server:\n  shutdown_delay_s: 5\n  shutdown_timeout_s: 2.5\nsupergraph_file: s.graphql\n"
    config = load_config(write(tmp_path, text))
    assert (config.server.shutdown_delay_s, config.server.shutdown_timeout_s) == (5.0, 2.5)


def test_supergraph_file_alone_is_enough(tmp_path: Path) -> None:
    sg = write(tmp_path, "schema { query: Query } type Query { a: Int }", "supergraph.graphql")
    config = load_config(write(tmp_path, "supergraph_file: supergraph.graphql\n"))
    assert config.supergraph_file == sg
    assert config.subgraphs == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "subgraphs:\n  - name: a\n    url: http://x/graphql\n    timout_s: 3\n",
            "aggregator.yaml:4: subgraphs[0].timout_s: unknown key (did you mean 'timeout_s'?)",
        ),
        (
            "servr: {}\nsubgraphs: []\n",
            "aggregator.yaml:1: servr: unknown key (did you mean 'server'?)",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/graphql\n    timeout_s: soon\n",
            "aggregator.yaml:4: subgraphs[0].timeout_s: must be a number, got 'soon'",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/graphql\n    timeout_s: 0\n",
            "aggregator.yaml:4: subgraphs[0].timeout_s: must be greater than 0, got 0",
        ),
        (
            "server:\n  port: '80'\nsupergraph_file: x\n",
            "aggregator.yaml:2: server.port: must be an integer, got '80'",
        ),
        (
            "server:\n  shutdown_timeout_s: -1\nsupergraph_file: x\n",
            "aggregator.yaml:2: server.shutdown_timeout_s: must be 0 or more, got -1",
        ),
        (
            "server:\n  shutdown_delay_s: soon\nsupergraph_file: x\n",
            "aggregator.yaml:2: server.shutdown_delay_s: must be a number, got 'soon'",
        ),
        (
            "server:\n  graphiql: yes please\n",
            "aggregator.yaml:2: server.graphiql: must be true or false, got 'yes please'",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/a\n  - name: b\n    url: http://x/b\n"
            "  - name: a\n    url: http://x/c\n",
            "aggregator.yaml:6: subgraphs[2].name: duplicate subgraph name 'a' "
            "(first used by subgraphs[0])",
        ),
        (
            "subgraphs:\n  - name: a\n    url: ftp://x/graphql\n",
            "aggregator.yaml:3: subgraphs[0].url: URL scheme must be http or https, "
            "got 'ftp://x/graphql'",
        ),
        (
            "subgraphs:\n  - name: a\n    url: /graphql\n",
            "aggregator.yaml:3: subgraphs[0].url: URL scheme must be http or https, got '/graphql'",
        ),
        (
            "subgraphs:\n  - name: a\n",
            "aggregator.yaml:2: subgraphs[0].url: required key is missing",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/a\n    sdl_source: magic\n",
            "aggregator.yaml:4: subgraphs[0].sdl_source: must be one of service, file, "
            "introspection, got 'magic'",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/a\n    sdl_source: file\n",
            "aggregator.yaml:2: subgraphs[0].sdl_file: required when sdl_source is 'file'",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/a\n    sdl_source: file\n"
            "    sdl_file: missing.graphql\n",
            "aggregator.yaml:5: subgraphs[0].sdl_file: file not found: ",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/a\n    tls: {}\n",
            "aggregator.yaml:4: subgraphs[0].tls: TLS settings need an https:// url",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/a\n    headers: {X-A: '${NOPE_UNSET}'}\n",
            "aggregator.yaml:4: subgraphs[0].headers.X-A: "
            "environment variable NOPE_UNSET is not set",
        ),
        (
            "subgraphs:\n  - name: a b\n    url: http://x/a\n",
            "aggregator.yaml:2: subgraphs[0].name: 'a b' is not a valid subgraph name",
        ),
        ("subgraphs: {}\n", "aggregator.yaml:1: subgraphs: must be a list, got a mapping"),
        (
            "subgraphs: []\n",
            "aggregator.yaml:1: subgraphs: list at least one subgraph (or give 'supergraph_file')",
        ),
        (
            "server:\n  port: 1\n  port: 2\nsupergraph_file: x\n",
            "aggregator.yaml:3: server.port: key given twice",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://x/a\n   bad: [\n",
            "aggregator.yaml:4: not valid YAML",
        ),
        ("", "aggregator.yaml: the file is empty"),
        ("- 1\n", "aggregator.yaml:1: (top level): must be a mapping of keys to values"),
    ],
)
def test_bad_config_names_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    assert str(load_error(tmp_path, text)).startswith(expected)


def test_error_keeps_structured_fields(tmp_path: Path) -> None:
    error = load_error(tmp_path, "subgraphs:\n  - name: a\n    url: http://x/a\n    optional: 3\n")
    assert (error.file, error.line, error.key) == ("aggregator.yaml", 4, "subgraphs[0].optional")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "nope.yaml")
