"""HTTPS for the gateway's listener: a reloading certificate, mTLS, HSTS.

Rotation without a restart: the listening socket keeps one ``SSLContext``
for its life, and OpenSSL builds every new connection from that context's
current certificate. So the gateway keeps the context and re-runs
``load_cert_chain`` on it when the certificate or key file changes (checked
every ``reload_interval_s`` by content hash); connections open at that
moment keep their session, new ones get the new certificate. A half-written
pair (new certificate, old key) fails to load and is retried on the next
check while the old pair keeps serving. A changed client CA file is added
to the trusted set (a CA can be added without a restart, not removed).

uvicorn has no ASGI TLS extension, so :class:`TlsHttpToolsProtocol` puts the
verified client certificate's subject (RFC 4514) in
``scope["extensions"]["tls"]["client_cert_name"]``, once per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import ssl
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cryptography import x509

from aggregator.config.server_tls import ServerTlsConfig
from aggregator.server.http_protocol import GatewayHttpProtocol

__all__ = ["HstsMiddleware", "ServerTls", "TlsHttpToolsProtocol", "uvicorn_ssl_context"]

log = logging.getLogger("aggregator.tls")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
_VERIFY = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}
# the ASGI TLS extension's tls_version numbers
_WIRE_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


class ServerTls:
    """The listener's SSLContext and the files it follows."""

    def __init__(self, settings: ServerTlsConfig) -> None:
        self.settings = settings
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = _VERSIONS[settings.min_version]
        context.set_alpn_protocols(["http/1.1"])
        if settings.client_ca_file is not None:
            context.load_verify_locations(cafile=str(settings.client_ca_file))
        context.verify_mode = _VERIFY[settings.client_auth]
        self.context = context
        self._seen = self._fingerprint()
        self._failed: tuple[str | None, ...] | None = None
        context.load_cert_chain(str(settings.cert_file), str(settings.key_file))
        self.reloads = 0

    def _fingerprint(self) -> tuple[str | None, ...]:
        files = (self.settings.cert_file, self.settings.key_file, self.settings.client_ca_file)
        out: list[str | None] = []
        for path in files:
            try:
                out.append(hashlib.sha256(path.read_bytes()).hexdigest() if path else None)
            except OSError:
                out.append(None)
        return tuple(out)

    def reload_if_changed(self) -> bool:
        """Load changed files into the live context; True when new connections see them."""
        seen = self._fingerprint()
        if seen in (self._seen, self._failed):
            return False
        settings = self.settings
        try:
            self.context.load_cert_chain(str(settings.cert_file), str(settings.key_file))
            if settings.client_ca_file is not None and seen[2] != self._seen[2]:
                self.context.load_verify_locations(cafile=str(settings.client_ca_file))
        except (OSError, ssl.SSLError) as exc:
            self._failed = seen  # reported once per state of the files
            log.error(
                "TLS certificate not reloaded (%s); the previous one keeps serving: %s",
                settings.cert_file,
                getattr(exc, "reason", None) or exc,
            )
            return False
        self._seen, self._failed = seen, None
        self.reloads += 1
        log.info("TLS certificate reloaded from %s", settings.cert_file)
        return True

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reload_interval_s)
            self.reload_if_changed()


_watchers: set[asyncio.Task[None]] = set()


def uvicorn_ssl_context(settings: ServerTlsConfig, _config: Any, _default: Any) -> ssl.SSLContext:
    """uvicorn's ``ssl_context_factory`` (bound with functools.partial): runs in each worker,
    inside its event loop, so the watcher task lives as long as that worker's server."""
    tls = ServerTls(settings)
    with contextlib.suppress(RuntimeError):  # no running loop: a one-off context
        task = asyncio.get_running_loop().create_task(tls.watch(), name="aggregator-tls-reload")
        _watchers.add(task)
        task.add_done_callback(_watchers.discard)
    return tls.context


def client_certificate_subject(ssl_object: ssl.SSLObject | None) -> str | None:
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()


class TlsHttpToolsProtocol(GatewayHttpProtocol):
    """uvicorn's HTTP/1.1 protocol, plus the ASGI TLS extension in every request's scope."""

    _tls_extension: dict[str, Any] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            self._tls_extension = {
                "client_cert_name": client_certificate_subject(ssl_object),
                "tls_version": _WIRE_VERSIONS.get(ssl_object.version() or ""),
            }

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._tls_extension is not None:
            extensions: dict[str, Any] = {"tls": self._tls_extension}
            self.scope["extensions"] = extensions


class HstsMiddleware:
    """``Strict-Transport-Security`` on every response served over TLS."""

    def __init__(self, app: App, max_age_s: int) -> None:
        self.app = app
        self.header = (b"strict-transport-security", f"max-age={max_age_s}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), self.header]}
            await send(message)

        await self.app(scope, receive, with_hsts)
