"""``${VAR}`` and ``${VAR:-default}`` in any value of aggregator.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import ConfigError, parse_config


def test_urls_ports_flags_and_headers_come_from_the_environment() -> None:
    config = parse_config(
        "server:\n"
        "  port: ${PORT:-4000}\n"
        "  graphiql: ${GRAPHIQL}\n"
        "  host: '${HOST:-0.0.0.0}'\n"
        "subgraphs:\n"
        "  - name: library\n"
        '    url: "${LIB_URL}"\n'
        "    timeout_s: ${TIMEOUT_S:-2.5}\n"
        "    headers: {Authorization: 'Bearer ${TOKEN}', X-Literal: 'cost $${5}'}\n",
        env={
            "PORT": "8080",
            "GRAPHIQL": "false",
            "LIB_URL": "https://lib.gov/graphql",
            "TOKEN": "t",
        },
    )
    assert config.server.port == 8080  # a plain scalar is typed after expansion
    assert config.server.graphiql is False
    assert config.server.host == "0.0.0.0"
    sub = config.subgraphs[0]
    assert sub.url == "https://lib.gov/graphql"
    assert sub.timeout_s == 2.5
    assert sub.headers == {"Authorization": "Bearer t", "X-Literal": "cost ${5}"}


def test_an_empty_variable_takes_the_default_and_a_quoted_value_stays_a_string() -> None:
    config = parse_config(
        "server:\n  port: ${PORT:-4001}\n"
        "subgraphs:\n  - name: a\n    url: http://a/graphql\n"
        "    headers: {X-Port: '${PORT:-4001}'}\n",
        env={"PORT": ""},
    )
    assert config.server.port == 4001
    assert config.subgraphs[0].headers == {"X-Port": "4001"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "subgraphs:\n  - name: a\n    url: ${LIB_URL}\n",
            "aggregator.yaml:3: subgraphs[0].url: environment variable LIB_URL is not set",
        ),
        (
            "server:\n  port: ${PORT}\nsubgraphs:\n  - name: a\n    url: http://a/g\n",
            "aggregator.yaml:2: server.port: environment variable PORT is not set",
        ),
        (
            "subgraphs:\n  - name: a\n    url: http://a/g\n    headers: {X: '${1BAD}'}\n",
            "aggregator.yaml:4: subgraphs[0].headers.X: '${1BAD}' is not a variable reference: "
            "write ${NAME} or ${NAME:-default} (and $${ for a literal ${)",
        ),
        (
            "server:\n  port: ${PORT:-many}\nsubgraphs:\n  - name: a\n    url: http://a/g\n",
            "aggregator.yaml:2: server.port: must be an integer, got 'many'",
        ),
    ],
)
def test_problems_name_the_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, file=Path("aggregator.yaml").resolve(), env={})
    assert str(caught.value) == message


def test_keys_are_never_expanded() -> None:
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config("${KEY}: 1\nsubgraphs: []\n", env={"KEY": "server"})
