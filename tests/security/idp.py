"""A real identity provider for tests: JWKS and OIDC discovery over HTTP, and token minting.

Serves ``/jwks`` (its current public keys, with a Cache-Control it is told),
``/.well-known/openid-configuration`` naming its own base URL as issuer, and
counts every request by path, so tests assert how often the gateway asked.
``failing`` makes every answer a 503, as an outage would; ``rotate`` adds a
key the way a provider publishes a new one.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from aggregator.security.keys import PrivateKey, public_jwk

_RSA_CACHE: list[rsa.RSAPrivateKey] = []


def rsa_key(index: int = 0) -> rsa.RSAPrivateKey:
    """Process-wide RSA keys (2048-bit generation is slow; tests share them)."""
    while len(_RSA_CACHE) <= index:
        _RSA_CACHE.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _RSA_CACHE[index]


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class SigningKey:
    kid: str | None
    key: PrivateKey
    alg: str

    def jwk(self) -> dict[str, Any]:
        jwk = public_jwk(self.key)
        if self.kid is not None:
            jwk["kid"] = self.kid
        return jwk


@dataclass
class IdentityProvider:
    keys: list[SigningKey] = field(default_factory=list)
    cache_control: str | None = "max-age=300"
    failing: bool = False
    base_url: str = ""
    audience: str = "aggregator"
    requests: Counter[str] = field(default_factory=Counter)
    # discovery document overrides (e.g. a different issuer)
    discovery: dict[str, Any] = field(default_factory=dict)
    # the iss of its tokens; None: its own base URL (as OIDC discovery needs)
    issuer_name: str | None = None

    @property
    def issuer(self) -> str:
        return self.issuer_name or self.base_url

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/jwks"

    def add_key(self, kid: str | None, key: PrivateKey, alg: str) -> SigningKey:
        signing = SigningKey(kid, key, alg)
        self.keys.append(signing)
        return signing

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "citizen-1",
            "iat": now,
            "exp": now + 600,
            "agency": "tax",
            "scope": "tax:read",
            "jti": secrets.token_hex(8),  # every token distinct: no validated-token cache hits
        }
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def token(
        self,
        key: SigningKey | None = None,
        *,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        signing = key or self.keys[0]
        header = {"kid": signing.kid} if signing.kid is not None else {}
        header.update(headers or {})
        return jwt.encode(self.claims(**claims), signing.key, algorithm=signing.alg, headers=header)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope["path"]
        self.requests[path] += 1
        status, body = 404, b"{}"
        if self.failing:
            status, body = 503, b"down"
        elif path == "/jwks":
            status, body = 200, orjson.dumps({"keys": [k.jwk() for k in self.keys]})
        elif path == "/.well-known/openid-configuration":
            document = {"issuer": self.issuer, "jwks_uri": self.jwks_url, **self.discovery}
            status, body = 200, orjson.dumps(document)
        headers = [(b"content-type", b"application/json")]
        if self.cache_control is not None and status == 200:
            headers.append((b"cache-control", self.cache_control.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class CountingServer:
    """Any path, any method: counts requests and answers 200 with a JWKS-looking body."""

    def __init__(self, body: bytes = b'{"keys": []}') -> None:
        self.body = body
        self.requests = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        self.requests += 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": self.body})


class FakeClock:
    """A monotonic clock tests move by hand (key-set caching only; tokens use real time)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
