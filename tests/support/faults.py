"""A subgraph that misbehaves on purpose, over raw HTTP/1.1 on a free loopback port.

Each request takes the next behaviour from ``plan`` (then ``default``): answer
normally, hang, answer 500, answer a body that is not JSON, answer a 30 MB body,
close the connection halfway through the body, or answer 503 with ``Retry-After``.
Raw sockets, not an ASGI server: a connection cut mid-body or a body larger than
announced is exactly what a broken backend does on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

OK = "ok"
HANG = "hang"
HTTP_500 = "500"
BROKEN = "broken"
HUGE = "huge"
CUT = "cut"
RETRY_AFTER = "retry-after"
ERRORS = "errors"


@dataclass
class FaultySubgraph:
    """Answers ``data`` for queries (and ``errors`` in the ERRORS mode)."""

    data: dict[str, Any]
    default: str = OK
    plan: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    retry_after_s: int = 1
    huge_bytes: int = 30 * 1024 * 1024
    requests: list[dict[str, Any]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    url: str = ""
    handlers: set[asyncio.Task[None]] = field(default_factory=set)

    def reset(self, default: str = OK, *plan: str) -> None:
        self.default = default
        self.plan = list(plan)
        self.requests.clear()
        self.times.clear()

    async def _read_request(self, reader: asyncio.StreamReader) -> dict[str, Any] | None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        body = await reader.readexactly(length) if length else b"{}"
        payload: dict[str, Any] = json.loads(body)
        return payload

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        task.add_done_callback(self.handlers.discard)
        try:
            while True:
                try:
                    payload = await self._read_request(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                if payload is None:
                    return
                self.requests.append(payload)
                self.times.append(time.monotonic())
                mode = self.plan.pop(0) if self.plan else self.default
                if not await self._answer(mode, payload, writer):
                    return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(
        self, mode: str, payload: dict[str, Any], writer: asyncio.StreamWriter
    ) -> bool:
        """Write one answer; False when the connection must be dropped."""
        if mode == HANG:
            await asyncio.sleep(3600)
            return False
        if mode == HTTP_500:
            self._write(writer, 500, b"internal error at db-7.agency.internal:5432", "text/plain")
        elif mode == BROKEN:
            self._write(writer, 200, b'{"data": {"licence": ', "application/json")
        elif mode == RETRY_AFTER:
            self._write(
                writer, 503, b"busy", "text/plain", {"retry-after": str(self.retry_after_s)}
            )
        elif mode == HUGE:
            size = self.huge_bytes
            head = (
                f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                f"content-length: {size}\r\n\r\n"
            ).encode()
            writer.write(head)
            chunk = b" " * (1024 * 1024)
            sent = 0
            try:
                while sent < size:
                    writer.write(chunk[: min(len(chunk), size - sent)])
                    sent += len(chunk)
                    await writer.drain()
            except ConnectionError:
                return False
            return True
        elif mode == CUT:
            body = json.dumps({"data": self._data(payload)}).encode()
            head = (
                f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body) + 1000}\r\n\r\n"
            ).encode()
            writer.write(head + body[: len(body) // 2])
            await writer.drain()
            return False
        elif mode == ERRORS:
            body = json.dumps(
                {"data": dict.fromkeys(self._data(payload)), "errors": self.errors}
            ).encode()
            self._write(writer, 200, body, "application/json")
        else:
            body = json.dumps({"data": self._data(payload)}).encode()
            self._write(writer, 200, body, "application/json")
        await writer.drain()
        return True

    def _data(self, payload: dict[str, Any]) -> dict[str, Any]:
        query = str(payload.get("query", ""))
        return {k: v for k, v in self.data.items() if k in query}

    @staticmethod
    def _write(
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
    ) -> None:
        reason = {200: "OK", 500: "Internal Server Error", 503: "Service Unavailable"}[status]
        headers = "".join(f"{k}: {v}\r\n" for k, v in (extra or {}).items())
        writer.write(
            (
                f"HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\n"
                f"content-length: {len(body)}\r\n{headers}\r\n"
            ).encode()
            + body
        )


@contextlib.asynccontextmanager
async def serve_faulty(subgraph: FaultySubgraph) -> AsyncIterator[FaultySubgraph]:
    server = await asyncio.start_server(subgraph._handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    subgraph.url = f"http://127.0.0.1:{port}/graphql"
    try:
        yield subgraph
    finally:
        server.close()
        for task in list(subgraph.handlers):  # hanging answers end with the test
            task.cancel()
        await asyncio.gather(*subgraph.handlers, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)
