"""HTTPS on the gateway's own listener, against a real ``aggregator serve`` process.

Certificates come from throwaway CAs (tests/config/tls_certs.py). Rotation is
tested the way an operator (or cert-manager) does it: new files replace the
old ones while the gateway runs, and the next connection is checked to be
served with the new certificate.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
from pathlib import Path

import aiohttp
import pytest

from tests.config.tls_certs import Pki, make_pki
from tests.reload.backends import SDL_WITHOUT_SLOW, Backend
from tests.support.gateway_process import gateway, run_command
from tests.support.servers import serve_asgi


def client_context(*cas: Path, pki: Pki | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    for ca in cas:
        context.load_verify_locations(cafile=str(ca))
    if pki is not None:
        context.load_cert_chain(str(pki.client_cert), str(pki.client_key))
    return context


def write_config(tmp_path: Path, subgraph_url: str, pki: Pki, tls_extra: str = "") -> Path:
    live = tmp_path / "live"
    live.mkdir(exist_ok=True)
    shutil.copy(pki.server_cert, live / "server.pem")
    shutil.copy(pki.server_key, live / "server.key")
    (tmp_path / "products.graphql").write_text(SDL_WITHOUT_SLOW, encoding="utf-8")
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        f"subgraphs:\n  - name: products\n    url: {subgraph_url}/graphql\n"
        "    sdl_source: file\n    sdl_file: products.graphql\n"
        "observability:\n  log_format: json\n"
        "tls:\n  cert_file: live/server.pem\n  key_file: live/server.key\n"
        f"  reload_interval_s: 0.2\n{tls_extra}",
        encoding="utf-8",
    )
    return config


async def peer_certificate(base_url: str, context: ssl.SSLContext) -> bytes:
    host, port = base_url.removeprefix("https://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port), ssl=context)
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
        writer.write(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        answer = await reader.read()
        if not answer:  # TLS 1.3 refuses a client certificate after the client's handshake
            raise ConnectionResetError("the gateway closed the connection without answering")
        assert answer.startswith(b"HTTP/1.1 200")
        return bytes(der)
    finally:
        writer.close()


def two_pkis(tmp_path: Path) -> tuple[Pki, Pki]:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    return make_pki(tmp_path / "a"), make_pki(tmp_path / "b")


def der(pem_file: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem_file.read_text())


async def test_https_with_hsts_client_subject_and_certificate_rotation(tmp_path: Path) -> None:
    first, second = two_pkis(tmp_path)
    backend = Backend()
    async with serve_asgi(backend.app) as subgraph_url:
        config = write_config(
            tmp_path, subgraph_url, first,
            f"  client_ca_file: {first.ca}\n  client_auth: optional\n",
        )  # fmt: skip
        trust_both = client_context(first.ca, second.ca)
        async with gateway(
            "--config", str(config), "--port", "0", ssl_context=client_context(first.ca)
        ) as running:
            assert running.base_url.startswith("https://127.0.0.1:")
            for context in (client_context(first.ca, pki=first), client_context(first.ca)):
                async with (
                    aiohttp.ClientSession() as session,
                    session.post(running.graphql_url, json={"query": "{ ping }"},
                                 ssl=context) as response,
                ):  # fmt: skip
                    assert await response.json() == {"data": {"ping": "pong"}}
                    assert response.headers["strict-transport-security"] == "max-age=31536000"
            assert await peer_certificate(running.base_url, trust_both) == der(first.server_cert)

            # rotate: the new pair replaces the files in place, as a secret update does
            live = tmp_path / "live"
            shutil.copy(second.server_key, live / "server.key.new")
            shutil.copy(second.server_cert, live / "server.pem.new")
            os.replace(live / "server.key.new", live / "server.key")
            os.replace(live / "server.pem.new", live / "server.pem")
            await running.wait_for_log("TLS certificate reloaded")
            assert await peer_certificate(running.base_url, trust_both) == der(second.server_cert)
            # a client that only trusts the old CA now refuses the gateway
            with pytest.raises(ssl.SSLCertVerificationError):
                await peer_certificate(running.base_url, client_context(first.ca))
    records = [json.loads(line) for line in running.stderr if '"aggregator.access"' in line]
    subjects = [r["client_cert_subject"] for r in records if r["path"] == "/graphql"]
    assert subjects == ["CN=gateway", None]


async def test_required_client_certificates_and_minimum_version(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    backend = Backend()
    async with serve_asgi(backend.app) as subgraph_url:
        config = write_config(
            tmp_path, subgraph_url, pki,
            f"  client_ca_file: {pki.ca}\n  min_version: 1.3\n  hsts_max_age_s: 0\n",
        )  # fmt: skip
        with_cert = client_context(pki.ca, pki=pki)
        async with gateway(
            "--config", str(config), "--port", "0", ssl_context=with_cert
        ) as running:
            async with (
                aiohttp.ClientSession() as session,
                session.post(running.graphql_url, json={"query": "{ ping }"},
                             ssl=with_cert) as response,
            ):  # fmt: skip
                assert await response.json() == {"data": {"ping": "pong"}}
                assert "strict-transport-security" not in response.headers
            with pytest.raises((ssl.SSLError, ConnectionError)):  # no client certificate
                await peer_certificate(running.base_url, client_context(pki.ca))
            old_client = client_context(pki.ca, pki=pki)
            old_client.maximum_version = ssl.TLSVersion.TLSv1_2
            with pytest.raises((ssl.SSLError, ConnectionError)):  # TLS 1.2 is refused
                await peer_certificate(running.base_url, old_client)


def test_a_key_that_does_not_match_the_certificate_stops_start_up(tmp_path: Path) -> None:
    first, second = two_pkis(tmp_path)
    config = write_config(tmp_path, "http://127.0.0.1:9", first)
    shutil.copy(second.server_key, tmp_path / "live" / "server.key")
    (tmp_path / "supergraph.graphql").write_text("", encoding="utf-8")
    done = run_command("serve", "--config", str(config), "--port", "0")
    assert done.code == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("aggregator: error: tls: cannot use ")
