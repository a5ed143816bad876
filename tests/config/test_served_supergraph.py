"""A supergraph composed in CI, checked, and deployed with in-process agencies.

``compose`` records ``inprocess://identity`` for a Python agency. Served on its
own that supergraph must refuse to start (it cannot be answered); served with
``--config`` naming ``supergraph_file`` plus the agencies' entries it answers a
query that crosses a Python module, a REST connector and an HTTP subgraph.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import strawberry.asgi

from aggregator.demo.auth import dev_auth_yaml, dev_token
from aggregator.demo.backends import dmv_app
from aggregator.demo.serving import serve_aiohttp, serve_asgi_app
from tests.support.gateway_process import gateway, run_command

TOKEN = dev_token("ci", agency="health", scopes=["health:read"])
ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
QUERY = """{ citizen(id: "C0001") { fullName vehicles { plate } immunisations { vaccineName } } }"""


def write_compose_config(folder: Path) -> Path:
    config = folder / "compose.yaml"
    config.write_text(
        "subgraphs:\n"
        "  - name: identity\n    python: resolvers.identity:schema\n"
        f"  - name: dmv\n    connector: {SCHEMAS / 'dmv' / 'connector.graphql'}\n"
        "  - name: health\n    url: http://health.ci.invalid/graphql\n"
        f"    sdl_source: file\n    sdl_file: {SCHEMAS / 'health' / 'subgraph.graphql'}\n",
        encoding="utf-8",
    )
    return config


def write_serve_config(folder: Path, dmv_url: str, health_url: str) -> Path:
    config = folder / "aggregator.yaml"
    config.write_text(
        "supergraph_file: supergraph.graphql\n"
        "server:\n  propagate_headers: [authorization]\n"
        "subgraphs:\n"
        "  - name: identity\n    python: resolvers.identity:schema\n"
        f"  - name: dmv\n    connector: {SCHEMAS / 'dmv' / 'connector.graphql'}\n"
        f"    base_urls: {{dmv: '${{DMV_URL}}'}}\n"
        f"  - name: health\n    url: {health_url}/graphql\n" + dev_auth_yaml(),
        encoding="utf-8",
    )
    return config


@contextlib.asynccontextmanager
async def agencies() -> AsyncIterator[tuple[str, str]]:
    from resolvers.health import schema as health_schema

    async with (
        serve_aiohttp(dmv_app()) as dmv_url,
        serve_asgi_app(strawberry.asgi.GraphQL(health_schema)) as health_url,
    ):
        yield dmv_url, health_url


async def test_compose_check_and_serve_a_supergraph_file_with_in_process_agencies(
    tmp_path: Path,
) -> None:
    composed = run_command("compose", "--config", str(write_compose_config(tmp_path)),
                           "-o", str(tmp_path / "supergraph.graphql"))  # fmt: skip
    assert composed.code == 0, composed.stderr
    supergraph = (tmp_path / "supergraph.graphql").read_text(encoding="utf-8")
    assert 'url: "inprocess://identity"' in supergraph

    checked = run_command("check", "--supergraph", str(tmp_path / "supergraph.graphql"),
                          "--against", str(tmp_path / "supergraph.graphql"))  # fmt: skip
    assert checked.code == 0, checked.stdout + checked.stderr

    alone = run_command("serve", "--supergraph", str(tmp_path / "supergraph.graphql"),
                        "--port", "0")  # fmt: skip
    assert alone.code == 2
    assert alone.stdout == ""  # never "serving on ..."
    assert alone.stderr.strip().splitlines() == [
        f"aggregator: error: {tmp_path / 'supergraph.graphql'}: subgraph 'dmv' runs inside the "
        "gateway (inprocess://dmv); serve this supergraph with --config and a subgraphs entry "
        "'dmv' (python: or connector:)"
    ]

    async with agencies() as (dmv_url, health_url):
        config = write_serve_config(tmp_path, dmv_url, health_url)
        # the same config drives `compose` and `check` too: they serve the file as it is
        again = run_command("check", "--config", str(config),
                            "--against", str(tmp_path / "supergraph.graphql"),
                            env={"DMV_URL": dmv_url})  # fmt: skip
        assert again.code == 0, again.stdout + again.stderr
        async with (
            gateway("--config", str(config), "--port", "0", env={"DMV_URL": dmv_url}) as running,
            aiohttp.ClientSession() as session,
            session.post(running.graphql_url, json={"query": QUERY},
                         headers={"authorization": f"Bearer {TOKEN}"}) as response,
        ):  # fmt: skip
            answer = await response.json()
    assert "errors" not in answer, answer
    citizen = answer["data"]["citizen"]
    assert citizen["fullName"]  # identity: the Python module in the gateway
    assert citizen["vehicles"]  # dmv: the REST connector against the agency backend
    assert citizen["immunisations"]  # health: the federation subgraph over HTTP


def test_a_config_entry_that_is_not_in_the_supergraph_is_refused(tmp_path: Path) -> None:
    assert run_command("compose", "--config", str(write_compose_config(tmp_path)),
                       "-o", str(tmp_path / "supergraph.graphql")).code == 0  # fmt: skip
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        "supergraph_file: supergraph.graphql\n"
        "subgraphs:\n"
        "  - name: identity\n    python: resolvers.identity:schema\n"
        f"  - name: dvm\n    connector: {SCHEMAS / 'dmv' / 'connector.graphql'}\n",
        encoding="utf-8",
    )
    done = run_command("serve", "--config", str(config), "--port", "0")
    assert done.code == 2
    assert done.stderr.strip().splitlines() == [
        f"aggregator: error: aggregator.yaml: subgraphs[1].name: 'dvm' is not a subgraph of "
        f"{tmp_path / 'supergraph.graphql'} (did you mean 'dmv'?)"
    ]
    config.write_text(
        "supergraph_file: supergraph.graphql\n"
        "subgraphs:\n  - name: health\n    url: http://h/graphql\n    sdl_source: service\n",
        encoding="utf-8",
    )
    done = run_command("serve", "--config", str(config), "--port", "0")
    assert done.code == 2
    assert "subgraphs[0].sdl_source: not used with supergraph_file" in done.stderr


async def test_serve_config_records_releases_in_the_disclosure_log(tmp_path: Path) -> None:
    """`audit:` in a served config: each worker opens the log at start-up, every
    release of protected data is one chained record, and `audit verify` accepts it."""
    composed = run_command("compose", "--config", str(write_compose_config(tmp_path)),
                           "-o", str(tmp_path / "supergraph.graphql"))  # fmt: skip
    assert composed.code == 0, composed.stderr
    log = tmp_path / "audit" / "disclosures-{pid}.log"
    log.parent.mkdir()
    async with agencies() as (dmv_url, health_url):
        config = write_serve_config(tmp_path, dmv_url, health_url)
        config.write_text(
            config.read_text(encoding="utf-8") + f"audit:\n  path: {log}\n", encoding="utf-8"
        )
        async with (
            gateway("--config", str(config), "--port", "0", env={"DMV_URL": dmv_url}) as running,
            aiohttp.ClientSession() as session,
        ):
            for bearer in (TOKEN, None):  # anonymous: nothing protected released, no record
                headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
                async with session.post(
                    running.graphql_url,
                    json={"query": '{ citizen(id: "C0001") { immunisations { vaccineName } } }'},
                    headers=headers,
                ) as response:
                    assert response.status == 200
    [written] = list(log.parent.iterdir())
    records = [
        line for line in written.read_text(encoding="utf-8").splitlines() if '"disclosure"' in line
    ]
    assert len(records) == 1
    assert '"coordinates":["Citizen.immunisations"]' in records[0]
    assert '"subject":"ci"' in records[0]
    verified = run_command("audit", "verify", str(written))
    assert verified.code == 0, verified.stdout + verified.stderr
