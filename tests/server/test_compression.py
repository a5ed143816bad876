"""Compressed responses over real HTTP: negotiation, threshold, streaming, and subgraphs.

Bodies are read with aiohttp's decompression turned off and decoded with the
codecs' own libraries, so a test sees exactly the bytes on the wire.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import brotli
import orjson
import pytest
import strawberry
import strawberry.federation as fed
from backports import zstd
from strawberry.asgi import GraphQL

from aggregator.config.compression import CompressionConfig
from aggregator.gateway import Gateway
from aggregator.registry import SubgraphSdl, compose_sdls
from aggregator.server.compression import CompressionMiddleware, choose_encoding
from tests.config.subgraphs import with_lifespan
from tests.support.gateway_process import GatewayProcess, gateway
from tests.support.servers import serve_asgi

SDL = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\n'
    "type Query { items(n: Int!): [String!]! }\n"
)
DECODE = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": zstd.decompress,
    None: lambda body: body,
}


@strawberry.type
class Query:
    @strawberry.field
    def items(self, n: int) -> list[str]:
        return [f"licence record {i:05d} for the demo agency" for i in range(n)]


def write_supergraph(folder: Path, url: str) -> Path:
    file = folder / "supergraph.graphql"
    composed = compose_sdls([SubgraphSdl("records", f"{url}/graphql", SDL)]).supergraph_sdl
    file.write_text(composed, encoding="utf-8")
    return file


@pytest.fixture(scope="module")
async def running(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GatewayProcess]:
    async with serve_asgi(with_lifespan(GraphQL(fed.Schema(query=Query)))) as url:
        file = write_supergraph(tmp_path_factory.mktemp("compression"), url)
        async with gateway("--supergraph", str(file), "--port", "0") as process:
            yield process


async def fetch(
    running: GatewayProcess, accept_encoding: str | None, n: int
) -> tuple[aiohttp.ClientResponse, bytes]:
    headers = {"accept-encoding": accept_encoding} if accept_encoding is not None else {}
    async with (
        aiohttp.ClientSession(auto_decompress=False, skip_auto_headers=["accept-encoding"]) as s,
        s.post(running.graphql_url, json={"query": f"{{ items(n: {n}) }}"}, headers=headers) as r,
    ):
        return r, await r.read()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip", "gzip"),
        ("br", "br"),
        ("zstd", "zstd"),
        ("gzip, deflate, br, zstd", "zstd"),  # a browser's list: the server's preference
        ("gzip;q=1.0, br;q=0.5", "gzip"),  # the client's weights first
        ("zstd;q=0, *", "br"),  # q=0 refuses; * accepts the rest
        ("identity", None),
        ("compress", None),
        (None, None),
    ],
)
async def test_large_graphql_answers_are_compressed_as_negotiated(
    running: GatewayProcess, accept: str | None, expected: str | None
) -> None:
    response, body = await fetch(running, accept, 200)
    assert response.status == 200
    assert response.headers.get("content-encoding") == expected
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) == len(body)
    answer = orjson.loads(DECODE[expected](body))
    assert len(answer["data"]["items"]) == 200
    if expected is not None:
        assert len(body) * 5 < len(orjson.dumps(answer))


async def test_small_answers_are_sent_as_they_are(running: GatewayProcess) -> None:
    response, body = await fetch(running, "gzip, br, zstd", 2)
    assert len(body) < 1024
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"
    assert orjson.loads(body)["data"]["items"][1].startswith("licence record 00001")


def test_accept_encoding_rules() -> None:
    offered = ("zstd", "br", "gzip")
    assert choose_encoding("GZIP", offered) == "gzip"
    assert choose_encoding("br;q=0.2, gzip;q=0.8", offered) == "gzip"
    assert choose_encoding("*;q=0", offered) is None
    assert choose_encoding("br;q=bogus, gzip", offered) == "gzip"
    assert choose_encoding("", offered) is None


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
async def test_streamed_responses_are_compressed_chunk_by_chunk(coding: str) -> None:
    """Each chunk is flushed: the client decodes the first before the app sends the second."""
    first_decoded = asyncio.Event()

    async def streaming_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"multipart/mixed; boundary=-")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b"first part " * 10, "more_body": True})
        await asyncio.wait_for(first_decoded.wait(), 10)
        await send({"type": "http.response.body", "body": b"second part " * 10, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    app = CompressionMiddleware(streaming_app, CompressionConfig(min_bytes=10_000))
    decoder: Any = {
        "gzip": lambda: zlib.decompressobj(31),
        "br": brotli.Decompressor,
        "zstd": zstd.ZstdDecompressor,
    }[coding]()
    decode = decoder.process if coding == "br" else decoder.decompress
    received = b""
    async with (
        serve_asgi(app) as url,
        aiohttp.ClientSession(auto_decompress=False, skip_auto_headers=["accept-encoding"]) as s,
        s.get(url, headers={"accept-encoding": coding}) as response,
    ):
        assert response.headers["content-encoding"] == coding
        assert "content-length" not in response.headers
        while b"first part " * 10 not in received:
            received += decode(await response.content.readany())
        first_decoded.set()
        async for chunk in response.content.iter_any():
            received += decode(chunk)
    assert received == b"first part " * 10 + b"second part " * 10


async def test_subgraph_requests_accept_compressed_answers() -> None:
    """The gateway asks subgraphs for gzip, br and zstd, and decodes whichever comes back."""
    seen: list[str] = []
    sent: list[bytes | None] = []
    subgraph = with_lifespan(GraphQL(fed.Schema(query=Query)))

    async def recording(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        seen.append(dict(scope["headers"]).get(b"accept-encoding", b"").decode())

        async def send_recorded(message: Any) -> None:
            if message["type"] == "http.response.start":
                sent.append(dict(message["headers"]).get(b"content-encoding"))
            await send(message)

        await app(scope, receive, send_recorded)

    app: Any = None
    for coding in ("gzip", "br", "zstd"):
        app = CompressionMiddleware(subgraph, CompressionConfig(min_bytes=0, algorithms=(coding,)))
        async with serve_asgi(recording) as url:
            composed = compose_sdls([SubgraphSdl("records", f"{url}/graphql", SDL)])
            gateway_ = Gateway.from_supergraph_sdl(composed.supergraph_sdl)
            try:
                result = await gateway_.execute("{ items(n: 50) }")
            finally:
                await gateway_.close()
        assert result["data"]["items"][49] == "licence record 00049 for the demo agency"
        assert sent[-1] == coding.encode()  # the answer did travel compressed
    assert seen
    for header in seen:
        assert {"gzip", "br", "zstd"} <= {c.strip() for c in header.split(",")}
