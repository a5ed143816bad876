"""Short-lived tokens the gateway signs for each subgraph request, and their JWKS.

An agency behind the gateway should not have to trust the frontend's token
(issued for the gateway, with the frontend's audience) to learn who asked.
Instead the gateway signs, per (caller, subgraph), a token with ``iss`` = the
gateway, ``aud`` = that subgraph, the caller's subject, agency, purpose and
granted scopes, a short ``exp`` (never past the caller's own token) and a
``jti``; the agency verifies it with the public keys the gateway publishes at
``/.well-known/jwks.json``. Tokens are reused per (identity, audience) until
shortly before they expire, so signing is not paid on every request.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from aggregator.config.auth_model import InternalTokenConfig
from aggregator.security.identity import Identity
from aggregator.security.keys import (
    MIN_RSA_BITS,
    KeySetError,
    algorithms_for,
    load_private_key,
    public_jwk,
    thumbprint,
)

__all__ = ["InternalTokenSigner"]

_CACHE_SIZE = 10_000


class InternalTokenSigner:
    def __init__(
        self, config: InternalTokenConfig, *, clock: Callable[[], float] = time.time
    ) -> None:
        """Loads and checks the signing key; raises ConfigError naming the setting."""
        self.config = config
        self.clock = clock
        try:
            self._key = load_private_key(config.key_file)
        except KeySetError as exc:
            raise config.origin.error(str(exc)) from exc
        public = public_jwk(self._key)
        if config.algorithm not in algorithms_for(public):
            kind = " ".join(str(public[k]) for k in ("kty", "crv") if k in public)
            raise config.origin.error(
                f"{config.key_file.name} holds a {kind} key, which cannot sign "
                f"{config.algorithm} (RSA: RS*/PS*, P-256: ES256, P-384: ES384, "
                "P-521: ES512, Ed25519: EdDSA)"
            )
        if isinstance(self._key, rsa.RSAPrivateKey) and self._key.key_size < MIN_RSA_BITS:
            raise config.origin.error(f"RSA signing keys need at least {MIN_RSA_BITS} bits")
        self.kid = config.kid or thumbprint(public)
        self.public_jwk: dict[str, Any] = {
            **public,
            "kid": self.kid,
            "alg": config.algorithm,
            "use": "sig",
        }
        self._headers = {"kid": self.kid, "typ": "JWT"}
        self._margin = max(1.0, min(config.ttl_s * 0.25, 30.0))
        self._cache: dict[tuple[Identity, str], tuple[str, float]] = {}
        self.signed = 0

    def jwks_document(self) -> bytes:
        """The JSON Web Key Set published at ``/.well-known/jwks.json``."""
        return json.dumps({"keys": [self.public_jwk]}, sort_keys=True).encode()

    def token_for(self, identity: Identity, audience: str) -> str:
        cache_key = (identity, audience)
        now = self.clock()
        cached = self._cache.get(cache_key)
        if cached is not None and now < cached[1]:
            return cached[0]
        token, exp = self._sign(identity, audience, now)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[cache_key] = (token, exp - self._margin)
        return token

    def _sign(self, identity: Identity, audience: str, now: float) -> tuple[str, float]:
        issued = int(now)
        exp = issued + int(self.config.ttl_s)
        if identity.expires_at is not None:
            exp = min(exp, identity.expires_at)
        claims: dict[str, Any] = {
            "iss": self.config.issuer,
            "aud": audience,
            "sub": identity.subject,
            "src_iss": identity.issuer,
            "iat": issued,
            "exp": exp,
            "jti": secrets.token_urlsafe(16),
        }
        if identity.agency is not None:
            claims["agency"] = identity.agency
        if identity.purpose is not None:
            claims["purpose"] = identity.purpose
        if identity.scopes:
            claims["scope"] = " ".join(sorted(identity.scopes))
        self.signed += 1
        token = jwt.encode(
            claims, self._key, algorithm=self.config.algorithm, headers=self._headers
        )
        return token, float(exp)
