"""import-openapi on two real-world-shaped documents, run against real backends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from graphql import graphql

from aggregator.connectors import Connector
from aggregator.connectors.openapi import import_openapi
from aggregator.demo.serving import serve_aiohttp

FIXTURES = Path(__file__).parent / "fixtures"
KEY = b"k" * 32


def _sdl(name: str, source: str) -> str:
    return import_openapi(yaml.safe_load((FIXTURES / name).read_text()), name=source)


async def _run(connector: Connector, query: str, variables: dict[str, Any] | None = None) -> Any:
    result = await graphql(connector.schema, query, variable_values=variables, context_value={})
    return {"data": result.data, "errors": [e.formatted for e in result.errors or ()]}


def test_petstore_shape() -> None:
    sdl = _sdl("petstore.yaml", "petstore")
    expected = 'findPets(tags: [String!], limit: Int): [Pet!] @rest(source: "petstore", path: '
    assert expected in sdl
    assert 'type Pet @key(fields: "id") @rest(source: "petstore", path: "/pets/{$this.id}")' in sdl
    assert "addPet(input: NewPetInput!): Pet" in sdl
    # 204 without a body: a JSON value (null); the error-only default is not the result
    assert "deletePet(id: Int!): JSON" in sdl


def test_business_register_shape() -> None:
    sdl = _sdl("business-register.yaml", "register")
    assert 'forwardHeaders: ["Authorization"]' in sdl
    assert 'baseURL: "https://api.register.example.gov/v2"' in sdl
    assert 'stateCode: String @from(path: "state-code")' in sdl
    assert "enum RegistrationStatus {\n  REGISTERED\n  DEREGISTERED\n  SUSPENDED\n}" in sdl
    assert "identifier: JSON" in sdl
    assert "scalar JSON" in sdl
    assert "employee_count: Int\n" in sdl  # OpenAPI 3.1 nullable type list
    assert "listOfficers(business_number: String!, includeResigned: Boolean)" in sdl
    assert '"include-resigned={$args.includeResigned}"' in sdl
    assert "updateBusinessContact(business_number: String!, input: ContactUpdateInput!)" in sdl
    assert 'type Business @key(fields: "business_number")' in sdl


def _petstore_app(created: list[Any]) -> web.Application:
    pets = {1: {"id": 1, "name": "Rex", "tag": "dog"}, 2: {"id": 2, "name": "Tom"}}

    async def find(request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "100"))
        tags = request.query.get("tags")
        found = [p for p in pets.values() if not tags or p.get("tag") in tags.split(",")]
        return web.json_response(found[:limit])

    async def one(request: web.Request) -> web.Response:
        pet = pets.get(int(request.match_info["id"]))
        return web.json_response(pet) if pet else web.json_response({}, status=404)

    async def add(request: web.Request) -> web.Response:
        body = await request.json()
        created.append(body)
        return web.json_response({"id": 3, **body})

    app = web.Application()
    app.router.add_get("/api/pets", find)
    app.router.add_get("/api/pets/{id}", one)
    app.router.add_post("/api/pets", add)
    return app


async def test_petstore_connector_end_to_end() -> None:
    created: list[Any] = []
    async with serve_aiohttp(_petstore_app(created)) as url:
        connector = Connector(
            _sdl("petstore.yaml", "petstore"),
            name="petstore",
            signing_key=KEY,
            base_urls={"petstore": url + "/api"},
        )
        try:
            out = await _run(connector, '{ findPets(tags: ["dog"]) { id name tag } }')
            assert out == {
                "data": {"findPets": [{"id": 1, "name": "Rex", "tag": "dog"}]},
                "errors": [],
            }
            out = await _run(
                connector, 'mutation { addPet(input: {name: "Kit", tag: "cat"}) { id name } }'
            )
            assert out["data"] == {"addPet": {"id": 3, "name": "Kit"}}
            assert created == [{"name": "Kit", "tag": "cat"}]
            out = await _run(
                connector,
                "query($r: [_Any!]!) { _entities(representations: $r) { ... on Pet { name } } }",
                {"r": [{"__typename": "Pet", "id": 2}]},
            )
            assert out["data"] == {"_entities": [{"name": "Tom"}]}
        finally:
            await connector.close()


async def test_business_register_connector_end_to_end() -> None:
    lodged: list[Any] = []

    async def business(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "business_number": request.match_info["bn"],
                "legal_name": "Harbour Bakery Pty Ltd",
                "status": "REGISTERED",
                "registered_address": {"locality": "Port Averly", "state-code": "EA"},
                "identifier": {"scheme": "ABN"},
            }
        )

    async def lodge(request: web.Request) -> web.Response:
        lodged.append(await request.json())
        return web.json_response(
            {"lodgement_id": "9f1c", "received_at": "2025-07-01T00:00:00Z"}, status=201
        )

    app = web.Application()
    app.router.add_get("/v2/businesses/{bn}", business)
    app.router.add_post("/v2/lodgements", lodge)
    async with serve_aiohttp(app) as url:
        connector = Connector(
            _sdl("business-register.yaml", "register"),
            name="register",
            signing_key=KEY,
            base_urls={"register": url + "/v2"},
        )
        try:
            out = await _run(
                connector,
                '{ getBusiness(business_number: "51824753556") { legal_name status'
                " registered_address { locality stateCode } identifier } }",
            )
            assert out == {
                "data": {
                    "getBusiness": {
                        "legal_name": "Harbour Bakery Pty Ltd",
                        "status": "REGISTERED",
                        "registered_address": {"locality": "Port Averly", "stateCode": "EA"},
                        "identifier": {"scheme": "ABN"},
                    }
                },
                "errors": [],
            }
            out = await _run(
                connector,
                'mutation { lodgeAnnualReturn(input: {business_number: "51824753556",'
                ' financial_year: 2025, turnoverBand: "75k-2m"}) { lodgement_id } }',
            )
            assert out["data"] == {"lodgeAnnualReturn": {"lodgement_id": "9f1c"}}
            assert lodged == [
                {
                    "business_number": "51824753556",
                    "financial_year": 2025,
                    "turnover-band": "75k-2m",
                }
            ]
        finally:
            await connector.close()


def test_cli_rejects_a_document_that_is_not_openapi_3(tmp_path: Path) -> None:
    bad = tmp_path / "swagger2.yaml"
    bad.write_text("swagger: '2.0'\npaths: {}\n")
    out = subprocess.run(
        [sys.executable, "-m", "aggregator", "import-openapi", str(bad), "--name", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "not an OpenAPI 3 document" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_writes_sdl(tmp_path: Path) -> None:
    target = tmp_path / "petstore.graphql"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "aggregator",
            "import-openapi",
            str(FIXTURES / "petstore.yaml"),
            "--name",
            "petstore",
            "-o",
            str(target),
        ],
        check=True,
    )
    Connector(target.read_text(), signing_key=KEY)  # builds: the output is valid connector SDL
    assert "type Pet @key" in target.read_text()
