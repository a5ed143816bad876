"""Access records of a real gateway process: one per request, the listed fields, no secrets."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import aiohttp
import strawberry
import strawberry.federation as fed
from strawberry.asgi import GraphQL

from tests.config.subgraphs import with_lifespan
from tests.support.gateway_process import GatewayProcess, gateway
from tests.support.servers import serve_asgi

SDL = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\n'
    "type Query { greet(name: String!): String! }\n"
)
QUERY = "query Greet($name: String!) { greet(name: $name) }"
TOKEN = "Bearer SECRET-TOKEN-123"
PERSONAL = "PII-VALUE-987"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@strawberry.type
class Query:
    @strawberry.field
    def greet(self, name: str, info: strawberry.Info) -> str:
        assert info.context["request"].headers["authorization"] == TOKEN  # propagated
        return f"hello {len(name)}"


def write_config(tmp_path: Path, url: str) -> Path:
    (tmp_path / "people.graphql").write_text(SDL, encoding="utf-8")
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        "server:\n  propagate_headers: [authorization]\n"
        f"subgraphs:\n  - name: people\n    url: {url}/graphql\n"
        "    sdl_source: file\n    sdl_file: people.graphql\n",
        encoding="utf-8",
    )
    return config


async def exchange(running: GatewayProcess, body: dict[str, Any]) -> Any:
    headers = {
        "authorization": TOKEN,
        "apollographql-client-name": "citizen-portal",
        "apollographql-client-version": "2.4.1",
        "traceparent": f"00-{TRACE}-00f067aa0ba902b7-01",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(running.graphql_url, json=body, headers=headers) as response,
    ):
        return await response.json()


def access_records(running: GatewayProcess) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in running.stderr if line.startswith("{")]
    return [r for r in records if r["logger"] == "aggregator.access"]


async def test_json_access_records_hold_the_listed_fields_and_no_secrets(tmp_path: Path) -> None:
    async with serve_asgi(with_lifespan(GraphQL(fed.Schema(query=Query)))) as url:
        config = write_config(tmp_path, url)
        async with gateway(
            "--config", str(config), "--port", "0", "--log-format", "json"
        ) as running:
            answer = await exchange(running, {"query": QUERY, "variables": {"name": PERSONAL}})
            assert answer == {"data": {"greet": "hello 13"}}
            bad = await exchange(running, {"query": "{ nope }", "variables": {"x": PERSONAL}})
            assert bad["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            # an edit makes the reload logger speak: it must come out as JSON as well
            (tmp_path / "people.graphql").write_text(SDL + "extend type Query { x: Int }\n")
            await running.wait_for_log("supergraph reloaded")
            await running.wait_for_log('"path":"/graphql"')
    output = "\n".join(running.stderr + running.stdout)
    assert "SECRET-TOKEN" not in output
    assert PERSONAL not in output
    assert "Traceback" not in output
    lines = [line for line in running.stderr if line.strip()]
    assert lines
    assert all(line.startswith("{") for line in lines), lines  # one format for every logger
    records = access_records(running)
    assert len(records) == 2  # one per GraphQL request; probes of /ready are not logged
    first, second = records
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert first["level"] == "INFO"
    assert first["message"] == "POST /graphql 200"
    assert first["duration_ms"] > 0
    del first["time"], first["duration_ms"]
    assert first == {
        "level": "INFO",
        "logger": "aggregator.access",
        "message": "POST /graphql 200",
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "trace_id": TRACE,
        "operation_name": "Greet",
        "operation_type": "query",
        "operation_hash": hashlib.sha256(QUERY.encode()).hexdigest(),
        "subgraph_requests": 1,
        "errors": 0,
        "client_name": "citizen-portal",
        "client_version": "2.4.1",
        "client_cert_subject": None,
    }
    assert second["errors"] == 1
    assert second["subgraph_requests"] == 0
    assert second["operation_type"] is None
    reload_lines = [json.loads(line) for line in lines if "supergraph reloaded" in line]
    assert reload_lines[0]["logger"] == "aggregator.reload"


async def test_text_access_line_for_developers(tmp_path: Path) -> None:
    async with serve_asgi(with_lifespan(GraphQL(fed.Schema(query=Query)))) as url:
        config = write_config(tmp_path, url)
        async with gateway("--config", str(config), "--port", "0") as running:
            await exchange(running, {"query": QUERY, "variables": {"name": PERSONAL}})
            line = await running.wait_for_log("aggregator.access")
    assert re.search(r" INFO aggregator\.access: POST /graphql 200 method=POST ", line)
    assert "operation_name=Greet" in line
    assert "subgraph_requests=1" in line
    assert "client_name=citizen-portal" in line
    assert PERSONAL not in line
    assert "SECRET" not in line
