"""A minimal keep-alive HTTP/1.1 server for the benchmark subgraphs, with a response memo.

Why not uvicorn or aiohttp: the subgraphs share two cores with the gateway under
test and the load generator, and must answer several times faster than any
gateway asks. The benchmark data never changes, so each distinct request body is
executed once with graphql-core and its full HTTP response is replayed after
that; the per-request cost is one header scan and one dict lookup.

Routes on every port: ``POST <any path>`` GraphQL; ``GET /count`` the requests
this subgraph answered since the last ``GET /reset``; ``GET /health``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import orjson
from graphql import GraphQLSchema, graphql_sync

_MEMO_LIMIT = 4096
_MAX_BODY = 16 * 1024 * 1024


def _response(status: str, body: bytes, content_type: bytes = b"application/json") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: ".encode()
        + content_type
        + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    return head + body


_NOT_FOUND = _response("404 Not Found", b'{"error":"not found"}')
_BAD_REQUEST = _response("400 Bad Request", b'{"error":"bad request"}')
_OK = _response("200 OK", b"OK", b"text/plain")


@dataclass
class SubgraphEndpoint:
    """One subgraph: its schema, its request counter and its memo of answers."""

    name: str
    schema: GraphQLSchema
    requests: int = 0
    executed: int = 0
    memo: dict[bytes, bytes] = field(default_factory=dict)

    def graphql(self, body: bytes) -> bytes:
        self.requests += 1
        cached = self.memo.get(body)
        if cached is not None:
            return cached
        self.executed += 1
        try:
            payload = orjson.loads(body)
            result = graphql_sync(
                self.schema,
                payload["query"],
                variable_values=payload.get("variables"),
                operation_name=payload.get("operationName"),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _BAD_REQUEST
        answer: dict[str, object] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        response = _response("200 OK", orjson.dumps(answer))
        if len(self.memo) >= _MEMO_LIMIT:
            self.memo.clear()
        self.memo[body] = response
        return response

    def control(self, path: bytes) -> bytes:
        if path == b"/count":
            body = {"subgraph": self.name, "requests": self.requests, "executed": self.executed}
            return _response("200 OK", orjson.dumps(body))
        if path == b"/reset":
            self.requests = 0
            self.executed = 0
            return _response("200 OK", b'{"requests":0}')
        if path == b"/health":
            return _OK
        return _NOT_FOUND


def _chunked_body(buf: bytearray, start: int) -> tuple[bytes, int] | None:
    """Decode a chunked body starting at ``start``; (body, end offset) or None if incomplete."""
    out = bytearray()
    pos = start
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buf[pos:line_end]).split(b";", 1)[0], 16)
        pos = line_end + 2
        if size == 0:
            trailer_end = buf.find(b"\r\n\r\n", pos - 2)
            if trailer_end < 0:
                return None
            return bytes(out), trailer_end + 4
        if len(buf) < pos + size + 2:
            return None
        out += buf[pos : pos + size]
        pos += size + 2


class SubgraphProtocol(asyncio.Protocol):
    """Parses pipelined keep-alive requests from one connection and writes memoised answers."""

    def __init__(self, endpoint: SubgraphEndpoint) -> None:
        self.endpoint = endpoint
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while self.transport is not None and not self.transport.is_closing():
            if not self._one_request():
                return

    def _one_request(self) -> bool:
        buf = self.buf
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        head = bytes(buf[:head_end]).lower()
        line_end = head.find(b"\r\n")
        request_line = head if line_end < 0 else head[:line_end]
        parts = request_line.split(b" ")
        if len(parts) != 3:
            return self._fail()
        method, path = parts[0], parts[1]
        body_start = head_end + 4
        if b"\r\ntransfer-encoding: chunked" in head:
            decoded = _chunked_body(buf, body_start)
            if decoded is None:
                return False
            body, end = decoded
        else:
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                value_end = head.find(b"\r\n", at + 2)
                raw = head[at + 17 : value_end if value_end >= 0 else len(head)]
                try:
                    length = int(raw.strip())
                except ValueError:
                    return self._fail()
            if length > _MAX_BODY:
                return self._fail()
            end = body_start + length
            if len(buf) < end:
                return False
            body = bytes(buf[body_start:end])
        del buf[:end]
        if method == b"post":
            answer = self.endpoint.graphql(body)
        else:
            answer = self.endpoint.control(path.split(b"?", 1)[0])
        assert self.transport is not None
        self.transport.write(answer)
        if b"\r\nconnection: close" in head:
            self.transport.close()
            return False
        return True

    def _fail(self) -> bool:
        assert self.transport is not None
        self.transport.write(_BAD_REQUEST)
        self.transport.close()
        return False


async def serve_endpoint(
    endpoint: SubgraphEndpoint, host: str = "127.0.0.1", port: int = 0
) -> asyncio.Server:
    """Listen for ``endpoint`` on ``host:port`` (0 picks a free port)."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SubgraphProtocol(endpoint), host, port, backlog=1024, reuse_address=True
    )
