"""``python:`` and ``connector:`` subgraphs from the config: composed and served in-process."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from aggregator.config import ConfigError, load_config
from aggregator.registry import SupergraphBuildError, build_supergraph, gateway_from_config
from tests.config.subgraphs import Asgi, Receive, Scope, Send, with_lifespan
from tests.reload.backends import Backend
from tests.support.servers import serve_asgi

CONNECTOR = """extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
  @source(name: "weather", baseURL: "https://weather.invalid")

type Query {
  forecast(city: String!): Forecast @rest(source: "weather", path: "/forecast/{$args.city}")
}

type Forecast {
  city: String!
  summary: String!
}
"""


def weather_api(calls: list[str]) -> Asgi:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope["path"])
        city = scope["path"].rsplit("/", 1)[-1]
        body = orjson.dumps({"city": city, "summary": "rain"})
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return with_lifespan(app)


async def test_remote_python_and_connector_subgraphs_in_one_graph(tmp_path: Path) -> None:
    (tmp_path / "weather.graphql").write_text(CONNECTOR, encoding="utf-8")
    backend = Backend()
    calls: list[str] = []
    async with serve_asgi(backend.app) as products, serve_asgi(weather_api(calls)) as weather:
        (tmp_path / "aggregator.yaml").write_text(
            "subgraphs:\n"
            f"  - name: products\n    url: {products}/graphql\n"
            "  - name: notices\n    python: tests.reload.inprocess_modules:schema\n"
            "  - name: weather\n    connector: weather.graphql\n"
            f"    base_urls: {{weather: '{weather}'}}\n",
            encoding="utf-8",
        )
        config = load_config(tmp_path / "aggregator.yaml")
        assert (tmp_path / "weather.graphql") in config.watched_files()  # hot reload sees edits
        sdl = await build_supergraph(config)
        assert 'NOTICES @join__graph(name: "notices", url: "inprocess://notices")' in sdl
        gateway = gateway_from_config(config, sdl)
        try:
            result = await gateway.execute('{ ping motd forecast(city: "Oslo") { city summary } }')
        finally:
            await gateway.close()
    assert result == {
        "data": {
            "ping": "pong",
            "motd": "offices closed on Monday",
            "forecast": {"city": "Oslo", "summary": "rain"},
        }
    }
    assert calls == ["/forecast/Oslo"]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (
            "python: tests.reload.no_such_module:schema",
            "subgraph 'x' (python tests.reload.no_such_module:schema): cannot import: "
            "No module named 'tests.reload.no_such_module'",
        ),
        (
            "python: tests.reload.inprocess_modules:nope",
            "subgraph 'x' (python tests.reload.inprocess_modules:nope): cannot load: ",
        ),
        (
            "python: tests.reload.inprocess_modules:not_a_schema",
            "subgraph 'x' (python tests.reload.inprocess_modules:not_a_schema): cannot load: "
            "expected a graphql-core or strawberry schema, got int",
        ),
    ],
)
async def test_in_process_subgraphs_that_do_not_load_name_themselves(
    tmp_path: Path, entry: str, reason: str
) -> None:
    (tmp_path / "aggregator.yaml").write_text(
        f"subgraphs:\n  - name: x\n    {entry}\n", encoding="utf-8"
    )
    with pytest.raises(SupergraphBuildError) as info:
        await build_supergraph(load_config(tmp_path / "aggregator.yaml"))
    assert info.value.problems[0].startswith(reason)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "url: http://x/graphql\n    python: a.b:schema",
            "aggregator.yaml:4: subgraphs[0].url: give exactly one of 'url' (a remote service), "
            "'python' (module:schema in this process) and 'connector' (a REST connector SDL file)",
        ),
        (
            "python: 'not a target'",
            "aggregator.yaml:3: subgraphs[0].python: expected 'package.module:attribute', "
            "got 'not a target'",
        ),
        (
            "python: a.b:schema\n    timeout_s: 3",
            "aggregator.yaml:4: subgraphs[0].timeout_s: only used with 'url'",
        ),
        (
            "url: http://x/graphql\n    base_urls: {a: 'http://a'}",
            "aggregator.yaml:4: subgraphs[0].base_urls: only used with 'connector'",
        ),
        (
            "connector: missing.graphql",
            "aggregator.yaml:3: subgraphs[0].connector: file not found: ",
        ),
    ],
)
def test_in_process_config_errors(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "aggregator.yaml").write_text(
        f"subgraphs:\n  - name: x\n    {entry}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "aggregator.yaml")
    assert str(info.value).startswith(message)
