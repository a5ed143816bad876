"""Cross-origin access for browser apps served from other origins.

Frontends of different agencies live on their own origins; the browser only
lets them read the gateway's answers when the gateway names their origin.
Nothing is allowed by default. Credentials (cookies) are never allowed with a
wildcard, and the allowed request headers are the ones GraphQL clients send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

_ALLOWED_HEADERS = (
    "authorization, content-type, accept, apollo-require-preflight, "
    "x-apollo-operation-name, graphql-preflight"
)


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    origins: frozenset[str]
    allow_credentials: bool = False
    max_age_s: int = 600

    def allows(self, origin: str) -> bool:
        return origin in self.origins or ("*" in self.origins and not self.allow_credentials)

    def headers(self, origin: str) -> list[tuple[bytes, bytes]]:
        out = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"origin")]
        if self.allow_credentials:
            out.append((b"access-control-allow-credentials", b"true"))
        return out

    def preflight(self, origin: str) -> list[tuple[bytes, bytes]]:
        return [
            *self.headers(origin),
            (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
            (b"access-control-allow-headers", _ALLOWED_HEADERS.encode()),
            (b"access-control-max-age", str(self.max_age_s).encode()),
            (b"content-length", b"0"),
        ]

    def wrap(self, send: Send, origin: str) -> Send:
        """``send`` with the CORS headers added to the response start."""
        extra = self.headers(origin)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        return send_with_cors
