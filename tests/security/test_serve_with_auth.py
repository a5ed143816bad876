"""`aggregator serve --config` with `auth:`, and `aggregator token`, as operators run them."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

from aggregator.demo.auth import DEV_JWKS
from tests.gateway.schema_fixture import SDLS
from tests.reload.test_serve_config import gateway_process
from tests.security.test_header_propagation import Recorder
from tests.support.servers import free_port, serve_asgi


async def _cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aggregator",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _config(tmp_path: Path, port: int, subgraph_url: str, extra: str = "") -> Path:
    (tmp_path / "products.graphql").write_text(SDLS["products"], encoding="utf-8")
    path = tmp_path / "aggregator.yaml"
    path.write_text(
        f"server:\n  port: {port}\n"
        "subgraphs:\n"
        f"  - name: products\n    url: {subgraph_url}/graphql\n"
        "    sdl_source: file\n    sdl_file: products.graphql\n"
        "auth:\n"
        "  issuers:\n"
        "    - issuer: https://aggregator-demo.invalid/dev-only\n"
        "      audience: aggregator-demo\n"
        "      algorithms: [ES256]\n"
        f"      keys: [{DEV_JWKS}]\n"
        "headers:\n  subgraphs:\n    products:\n"
        "      - insert: x-agency\n        claim: agency\n" + extra,
        encoding="utf-8",
    )
    return path


async def test_serve_config_authenticates_with_tokens_from_aggregator_token(
    tmp_path: Path,
) -> None:
    recorder = Recorder()
    port = free_port()
    code, token, _ = await _cli(
        "token", "--subject", "alice", "--agency", "tax", "--scope", "tax:read"
    )
    assert code == 0
    token = token.strip()
    async with serve_asgi(recorder) as subgraph_url:
        config = _config(tmp_path, port, subgraph_url)
        async with gateway_process("--config", str(config)) as proc, aiohttp.ClientSession() as s:
            assert proc.stdout is not None
            await proc.stdout.readline()
            url = f"http://127.0.0.1:{port}/graphql"
            body = {"query": "{ topProducts(first: 1) { name } }"}
            while True:  # until uvicorn accepts connections
                try:
                    async with s.post(url, json=body) as response:
                        anonymous = response.status, response.headers.get("www-authenticate")
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert anonymous == (401, 'Bearer realm="aggregator"')
            headers = {"Authorization": f"Bearer {token}", "X-Agency": "health"}
            async with s.post(url, json=body, headers=headers) as response:
                assert response.status == 200
                assert await response.json() == {"data": {"topProducts": [{"name": "Table"}]}}
            altered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
            async with s.post(url, json=body, headers={"Authorization": f"Bearer {altered}"}) as r:
                assert r.status == 401
            async with s.get(f"http://127.0.0.1:{port}/.well-known/jwks.json") as response:
                assert response.status == 404  # no internal tokens configured: nothing published
            proc.terminate()
            await proc.communicate()
    [sent] = recorder.headers
    assert sent["x-agency"] == "tax"
    assert "authorization" not in sent


async def test_serve_config_refuses_to_start_with_a_key_it_cannot_use(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    config = _config(tmp_path, free_port(), "http://127.0.0.1:9")
    config.write_text(config.read_text().replace(str(DEV_JWKS), str(bad)))
    async with gateway_process("--config", str(config)) as proc:
        _, err = await proc.communicate()
    assert proc.returncode == 2
    assert err.decode() == (
        "aggregator: error: aggregator.yaml:13: auth.issuers[0].keys[0]: bad.pem is not a "
        "readable PEM public key or certificate\n"
    )


async def test_token_command_errors_are_one_line(tmp_path: Path) -> None:
    assert (await _cli("token", "--subject", "a", "--ttl", "0"))[0::2] == (
        2,
        "aggregator: error: --ttl must be 1..2592000 seconds\n",
    )
    assert (await _cli("token", "--scope", "x"))[0::2] == (
        2,
        "aggregator: error: token needs --subject\n",
    )
    code, out, _ = await _cli("token", "--print-config")
    assert code == 0
    assert f"keys: [{DEV_JWKS}]" in out
