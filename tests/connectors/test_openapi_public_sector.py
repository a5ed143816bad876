"""import-openapi on published public-sector OpenAPI documents (fixtures/public-sector).

The generated connector SDL of all three documents composes into one
supergraph, and generated fields answer through a real gateway from a small
backend shaped like the real API, with the API key forwarded in the header
the document names.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from aggregator.config import GatewayConfig, ServerConfig, SubgraphConfig
from aggregator.connectors.openapi import import_openapi
from aggregator.demo.serving import serve_aiohttp
from aggregator.registry.build import build_supergraph
from aggregator.registry.gateway_factory import gateway_from_config

FIXTURES = Path(__file__).parent / "fixtures" / "public-sector"
DOCUMENTS = {"perdiem": "gsa-perdiem.yaml", "dap": "dap-analytics.yaml",
             "search": "searchgov-typeahead.yaml"}  # fmt: skip


def generate(name: str) -> str:
    document = yaml.safe_load((FIXTURES / DOCUMENTS[name]).read_text(encoding="utf-8"))
    return import_openapi(document, name=name)


def test_responses_without_a_schema_are_json_and_api_keys_use_their_header() -> None:
    sdl = generate("perdiem")
    assert 'forwardHeaders: ["X-API-KEY"]' in sdl
    assert "Authorization" not in sdl
    assert "scalar JSON" in sdl
    assert "Boolean" not in sdl  # no response body schema is not a yes/no answer
    assert "getV2RatesZipZipYearYear(zip: Int!, year: String!): JSON @rest(" in sdl


def api_backend(seen: list[dict[str, str]]) -> web.Application:
    async def rates(request: web.Request) -> web.Response:
        seen.append({"path": request.path, "key": request.headers.get("X-API-KEY", "")})
        return web.json_response(
            {
                "request": [],
                "rates": [
                    {
                        "oconus": False,
                        "state": "DC",
                        "rate": [{"zip": request.match_info["zip"], "meals": 79}],
                    }
                ],
            }
        )

    async def reports(request: web.Request) -> web.Response:
        seen.append({"path": request.path_qs, "key": request.headers.get("X-API-KEY", "")})
        return web.json_response(
            [
                {
                    "id": 7,
                    "report_name": request.match_info["report"],
                    "report_agency": None,
                    "date_time": "2025-07-01",
                    "data": "{}",
                }
            ]
        )

    async def suggestions(request: web.Request) -> web.Response:
        seen.append({"path": request.path_qs, "key": request.headers.get("X-API-KEY", "")})
        return web.json_response(["passport renewal", "passport photo"])

    app = web.Application()
    app.router.add_get("/perdiem/v2/rates/zip/{zip}/year/{year}", rates)
    app.router.add_get("/dap/reports/{report}/data", reports)
    app.router.add_get("/search/suggestions/", suggestions)
    return app


async def test_the_three_documents_compose_and_answer_through_a_gateway(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    async with serve_aiohttp(api_backend(seen)) as url:
        subgraphs = []
        for name in DOCUMENTS:
            file = tmp_path / f"{name}.graphql"
            file.write_text(generate(name), encoding="utf-8")
            subgraphs.append(SubgraphConfig(name=name, connector_file=file,
                                            base_urls={name: f"{url}/{name}"}))  # fmt: skip
        config = GatewayConfig(
            subgraphs=tuple(subgraphs), server=ServerConfig(propagate_headers=("x-api-key",))
        )
        supergraph = await build_supergraph(config)
        for name in DOCUMENTS:
            assert f'join__graph(name: "{name}", url: "inprocess://{name}")' in supergraph
        gateway = gateway_from_config(config, supergraph)
        try:
            result: dict[str, Any] = await gateway.execute(
                '{ getV2RatesZipZipYearYear(zip: 20001, year: "2025")'
                ' getReportsReportNameData(report_name: "site", limit: 2) { id report_name }'
                ' getSuggestions(name: "usagov", q: "pass") }',
                headers={"x-api-key": "DEMO_KEY"},
            )
        finally:
            await gateway.close()
    assert "errors" not in result, result
    assert result["data"] == {
        "getV2RatesZipZipYearYear": {"request": [], "rates": [{"oconus": False, "state": "DC",
                                     "rate": [{"zip": "20001", "meals": 79}]}]},
        "getReportsReportNameData": [{"id": 7, "report_name": "site"}],
        "getSuggestions": ["passport renewal", "passport photo"],
    }  # fmt: skip
    assert sorted(seen, key=lambda s: s["path"]) == [
        {"path": "/dap/reports/site/data?limit=2", "key": "DEMO_KEY"},
        {"path": "/perdiem/v2/rates/zip/20001/year/2025", "key": "DEMO_KEY"},
        {"path": "/search/suggestions/?name=usagov&q=pass", "key": "DEMO_KEY"},
    ]


@pytest.mark.parametrize("media", ["application/json:", "application/json: {}",
                                   "application/json: {schema: {}}"])  # fmt: skip
def test_a_media_type_without_a_schema_is_a_json_value(media: str) -> None:
    document = yaml.safe_load(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /status:\n    get:\n      operationId: status\n      responses:\n"
        f"        '200':\n          description: ok\n          content:\n            {media}\n"
        "    post:\n      operationId: report\n      requestBody:\n        content:\n"
        f"          {media}\n      responses:\n        '204': {{description: done}}\n"
    )
    sdl = import_openapi(document, name="status")
    assert 'status: JSON @rest(source: "status", path: "/status")' in sdl
    # an empty schema ({}) is any JSON value: the body becomes a JSON argument
    body = "(input: JSON)" if "schema" in media else ""
    assert f'report{body}: JSON @rest(source: "status", method: "POST", path: "/status"' in sdl


def test_a_yaml_error_names_the_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "api.yaml"
    broken.write_text("openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "aggregator", "import-openapi", str(broken), "--name", "x"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"import-openapi: {broken}:4: not valid YAML or JSON: ")
