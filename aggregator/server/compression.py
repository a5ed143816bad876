"""ASGI middleware: compress GraphQL (JSON) responses the client says it can decode.

Negotiation follows RFC 9110 ``Accept-Encoding``: the highest q-value wins,
ties go to the server's preference order (``compression.algorithms``),
``q=0`` and ``identity`` are honoured. Bodies below ``min_bytes`` are sent as
they are (compressing 200 bytes costs more than it saves). A response sent in
one piece (every GraphQL answer today) is compressed in one call with its
``content-length`` rewritten; a streamed one (``more_body``) is compressed
chunk by chunk, each chunk flushed so the client sees it at once. Every
compressible response carries ``Vary: Accept-Encoding`` so caches keep the
encodings apart. Responses that already have a ``content-encoding`` (the
pre-compressed GraphiQL assets) pass through untouched.

Codecs: gzip from the standard library, brotli from Google's ``brotli``
bindings, zstd from ``compression.zstd`` (Python 3.14) or its backport
``backports.zstd`` (the module aiohttp uses to decode zstd, so the gateway
speaks zstd in both directions with one library).
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from types import ModuleType
from typing import Any, Protocol

from aggregator.config.compression import CompressionConfig

__all__ = [
    "AVAILABLE",
    "CompressionMiddleware",
    "choose_encoding",
    "encoder",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def _optional(*modules: str) -> ModuleType | None:
    import importlib

    for name in modules:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


_brotli = _optional("brotli", "brotlicffi")
_zstd = _optional("compression.zstd", "backports.zstd")

AVAILABLE: tuple[str, ...] = tuple(
    name
    for name, present in (("zstd", _zstd is not None), ("br", _brotli is not None), ("gzip", True))
    if present
)

_COMPRESSIBLE = (
    b"application/json",
    b"application/graphql-response+json",
    b"text/",
    b"multipart/mixed",
)


class StreamEncoder(Protocol):
    def chunk(self, data: bytes) -> bytes: ...

    def finish(self) -> bytes: ...


class Encoder(Protocol):
    def compress(self, data: bytes) -> bytes: ...

    def stream(self) -> StreamEncoder: ...


class _Gzip:
    def __init__(self, level: int) -> None:
        self.level = level

    def compress(self, data: bytes) -> bytes:
        packer = zlib.compressobj(self.level, zlib.DEFLATED, 31)
        return packer.compress(data) + packer.flush()

    def stream(self) -> StreamEncoder:
        return _GzipStream(zlib.compressobj(self.level, zlib.DEFLATED, 31))


class _GzipStream:
    def __init__(self, packer: Any) -> None:
        self.packer = packer

    def chunk(self, data: bytes) -> bytes:
        out: bytes = self.packer.compress(data) + self.packer.flush(zlib.Z_SYNC_FLUSH)
        return out

    def finish(self) -> bytes:
        out: bytes = self.packer.flush()
        return out


class _Brotli:
    def __init__(self, quality: int) -> None:
        self.quality = quality

    def compress(self, data: bytes) -> bytes:
        assert _brotli is not None
        out: bytes = _brotli.compress(data, quality=self.quality)
        return out

    def stream(self) -> StreamEncoder:
        assert _brotli is not None
        return _BrotliStream(_brotli.Compressor(quality=self.quality))


class _BrotliStream:
    def __init__(self, packer: Any) -> None:
        self.packer = packer

    def chunk(self, data: bytes) -> bytes:
        out: bytes = self.packer.process(data) + self.packer.flush()
        return out

    def finish(self) -> bytes:
        out: bytes = self.packer.finish()
        return out


class _Zstd:
    def __init__(self, level: int) -> None:
        self.level = level

    def compress(self, data: bytes) -> bytes:
        assert _zstd is not None
        out: bytes = _zstd.compress(data, level=self.level)
        return out

    def stream(self) -> StreamEncoder:
        assert _zstd is not None
        return _ZstdStream(_zstd.ZstdCompressor(level=self.level))


class _ZstdStream:
    def __init__(self, packer: Any) -> None:
        self.packer = packer

    def chunk(self, data: bytes) -> bytes:
        out: bytes = self.packer.compress(data, mode=self.packer.FLUSH_BLOCK)
        return out

    def finish(self) -> bytes:
        out: bytes = self.packer.flush(mode=self.packer.FLUSH_FRAME)
        return out


def encoder(name: str, settings: CompressionConfig) -> Encoder:
    if name not in AVAILABLE:
        raise ValueError(f"compression '{name}' is not available (have: {', '.join(AVAILABLE)})")
    if name == "gzip":
        return _Gzip(settings.gzip_level)
    if name == "br":
        return _Brotli(settings.brotli_quality)
    return _Zstd(settings.zstd_level)


def choose_encoding(accept_encoding: str, offered: tuple[str, ...]) -> str | None:
    """The coding to use for this ``Accept-Encoding``, or None for the identity."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[coding] = q
    wildcard = weights.get("*", 0.0)
    best, best_q = None, 0.0
    for coding in offered:
        q = weights.get(coding, wildcard)
        if q > best_q:
            best, best_q = coding, q
    return best


class CompressionMiddleware:
    def __init__(self, app: App, settings: CompressionConfig) -> None:
        self.app = app
        self.settings = settings
        self.offered = tuple(a for a in settings.algorithms if a in AVAILABLE)
        self.encoders = {name: encoder(name, settings) for name in self.offered}
        self._choices: dict[bytes, str | None] = {}

    def _choose(self, header: bytes) -> str | None:
        choice = self._choices.get(header, "?")
        if choice == "?":
            choice = choose_encoding(header.decode("latin-1"), self.offered)
            if len(self._choices) > 512:  # clients send few distinct values; bound it anyway
                self._choices.clear()
            self._choices[header] = choice
        return choice

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") == "HEAD" or not self.offered:
            await self.app(scope, receive, send)
            return
        accept = b""
        for name, value in scope.get("headers") or ():
            if name.lower() == b"accept-encoding":
                accept = value
                break
        coding = self._choose(accept) if accept else None
        await self.app(scope, receive, _Response(send, coding, self).send)


class _Response:
    """The send side of one response: holds the start until the first body chunk."""

    __slots__ = ("coding", "held", "middleware", "passing", "raw_send", "stream")

    def __init__(self, send: Send, coding: str | None, middleware: CompressionMiddleware) -> None:
        self.raw_send = send
        self.coding = coding
        self.middleware = middleware
        self.held: Message | None = None
        self.passing = False
        self.stream: StreamEncoder | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            headers: list[tuple[bytes, bytes]] = list(message.get("headers") or [])
            if not _compressible(headers):
                self.passing = True
                await self.raw_send(message)
                return
            headers.append((b"vary", b"Accept-Encoding"))
            self.held = {**message, "headers": headers}
            return
        if kind != "http.response.body" or self.passing:
            await self.raw_send(message)
            return
        body: bytes = message.get("body", b"")
        more = bool(message.get("more_body"))
        if self.held is not None:
            start, self.held = self.held, None
            await self._start(start, body, more)
            return
        if self.stream is not None:
            body = (
                self.stream.chunk(body) if more else self.stream.chunk(body) + self.stream.finish()
            )
        await self.raw_send({"type": "http.response.body", "body": body, "more_body": more})

    async def _start(self, start: Message, body: bytes, more: bool) -> None:
        coding = self.coding
        settings = self.middleware.settings
        if coding is None or (not more and len(body) < settings.min_bytes):
            self.passing = True
            await self.raw_send(start)
            await self.raw_send({"type": "http.response.body", "body": body, "more_body": more})
            return
        codec = self.middleware.encoders[coding]
        headers = [h for h in start["headers"] if h[0].lower() != b"content-length"]
        headers.append((b"content-encoding", coding.encode()))
        if more:
            self.stream = codec.stream()
            body = self.stream.chunk(body)
        else:
            body = codec.compress(body)
            headers.append((b"content-length", str(len(body)).encode()))
        await self.raw_send({**start, "headers": headers})
        await self.raw_send({"type": "http.response.body", "body": body, "more_body": more})


def _compressible(headers: list[tuple[bytes, bytes]]) -> bool:
    content_type = b""
    for name, value in headers:
        lower = name.lower()
        if lower == b"content-encoding":
            return False
        if lower == b"content-type":
            content_type = value.lower()
    return content_type.startswith(_COMPRESSIBLE)
