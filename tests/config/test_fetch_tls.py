"""SDL fetching over HTTPS with a private CA and mutual TLS, against a real TLS server."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from aggregator.config import SubgraphConfig, TlsConfig
from aggregator.registry import SdlFetchError, fetch_subgraph_sdl
from tests.config.subgraphs import products_app
from tests.config.tls_certs import make_pki, serve_mtls


async def test_mtls_with_private_ca_and_client_certificate(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    tls = TlsConfig(ca_file=pki.ca, cert_file=pki.client_cert, key_file=pki.client_key)
    async with serve_mtls(products_app(), pki) as base, aiohttp.ClientSession() as session:
        sdl = await fetch_subgraph_sdl(
            SubgraphConfig("products", f"{base}/graphql", tls=tls), session
        )
    assert 'type Product @key(fields: "upc")' in sdl


@pytest.mark.parametrize(
    ("tls", "reason"),
    [
        ("no client certificate", "unreachable: "),
        ("no private CA", "TLS certificate not trusted: [SSL: CERTIFICATE_VERIFY_FAILED]"),
    ],
)
async def test_tls_failures_name_the_subgraph(tmp_path: Path, tls: str, reason: str) -> None:
    pki = make_pki(tmp_path)
    config = (
        TlsConfig(ca_file=pki.ca)
        if tls == "no client certificate"
        else TlsConfig(cert_file=pki.client_cert, key_file=pki.client_key)
    )
    async with serve_mtls(products_app(), pki) as base, aiohttp.ClientSession() as session:
        with pytest.raises(SdlFetchError) as info:
            await fetch_subgraph_sdl(
                SubgraphConfig("products", f"{base}/graphql", tls=config), session
            )
    assert info.value.subgraph == "products"
    assert info.value.reason.startswith(reason)
