"""Verification keys bound to the algorithms they may verify.

The algorithm a token is checked with comes from configuration, narrowed by
the key: an RSA key verifies RS*/PS* only, a P-256 key ES256 only, an Ed25519
key EdDSA only, and a JWK's own ``alg`` narrows it further. A token's ``alg``
header merely selects among those pairs, so "HS256 signed with the RSA public
key" finds no key at all. Each (key, algorithm) pair is a pyjwt ``PyJWK`` built
once, when the key set is loaded, never per request.

Exceptions::

    KeySetError (ValueError)   a key file or key set that cannot be used
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

__all__ = [
    "KeySet",
    "KeySetError",
    "algorithms_for",
    "load_key_file",
    "load_private_key",
    "public_jwk",
    "thumbprint",
]

_RSA = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_OKP = frozenset({"Ed25519", "Ed448"})
MIN_RSA_BITS = 2048

PublicKey = (
    rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
)
PrivateKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)


class KeySetError(ValueError):
    """A key file or key set the gateway cannot verify with."""


def algorithms_for(jwk: Mapping[str, Any]) -> frozenset[str]:
    """Every algorithm this key type can verify (before configuration narrows it)."""
    kty = jwk.get("kty")
    if kty == "RSA":
        return _RSA
    if kty == "EC":
        alg = _EC.get(str(jwk.get("crv")))
        return frozenset({alg}) if alg else frozenset()
    if kty == "OKP" and jwk.get("crv") in _OKP:
        return frozenset({"EdDSA"})
    return frozenset()  # "oct" (shared secrets) and unknown types verify nothing


def public_jwk(key: PublicKey | PrivateKey) -> dict[str, Any]:
    """The public JWK of a key object (a private key gives its public half)."""
    if isinstance(
        key,
        rsa.RSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | ed448.Ed448PrivateKey,
    ):
        key = key.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return dict(RSAAlgorithm.to_jwk(key, as_dict=True))
    if isinstance(key, ec.EllipticCurvePublicKey):
        return dict(ECAlgorithm.to_jwk(key, as_dict=True))
    return dict(OKPAlgorithm.to_jwk(key, as_dict=True))


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): a stable kid for a key."""
    members = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
    required = members.get(str(jwk.get("kty")))
    if required is None:
        raise KeySetError(f"no thumbprint for key type {jwk.get('kty')!r}")
    canonical = json.dumps(
        {name: jwk[name] for name in required}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def load_key_file(path: Path, kid: str | None = None) -> list[dict[str, Any]]:
    """Public JWKs from a PEM public key or certificate, a JWK or a JWK Set (JSON).

    A private key is refused: the gateway only verifies, and a private key in
    its trust configuration is a key that has already travelled too far.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeySetError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text = data.lstrip()
    if text.startswith(b"{"):
        try:
            document = json.loads(data)
        except ValueError as exc:
            raise KeySetError(f"{path.name} is not valid JSON: {exc}") from exc
        keys = document.get("keys") if isinstance(document, dict) else None
        found = keys if isinstance(keys, list) else [document]
        jwks = [dict(k) for k in found if isinstance(k, dict)]
        if any("d" in k for k in jwks):
            raise KeySetError(f"{path.name} holds a private key; give the public key only")
    elif b"-----BEGIN" in text:
        jwks = [public_jwk(_pem_public_key(path.name, data))]
    else:
        raise KeySetError(f"{path.name} is neither PEM nor a JSON JWK / JWK Set")
    if not jwks:
        raise KeySetError(f"{path.name} holds no keys")
    if kid is not None:
        if len(jwks) != 1:
            raise KeySetError(
                f"'kid' applies to a file holding one key; {path.name} has {len(jwks)}"
            )
        jwks[0]["kid"] = kid
    return jwks


def _pem_public_key(name: str, data: bytes) -> PublicKey:
    if b"PRIVATE KEY" in data:
        raise KeySetError(f"{name} holds a private key; give the public key (or certificate)")
    try:
        if b"CERTIFICATE" in data:
            key: Any = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise KeySetError(f"{name} is not a readable PEM public key or certificate") from exc
    if not isinstance(key, PublicKey):
        raise KeySetError(f"{name}: unsupported key type {type(key).__name__}")
    return key


def load_private_key(path: Path) -> PrivateKey:
    """A PEM private key (PKCS#8 or traditional, unencrypted) for signing."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeySetError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:
        raise KeySetError(
            f"{path.name} is encrypted; give an unencrypted PEM private key "
            "(protect it with file permissions or a secret store)"
        ) from exc
    except ValueError as exc:
        raise KeySetError(f"{path.name} is not a readable PEM private key") from exc
    if not isinstance(key, PrivateKey):
        raise KeySetError(f"{path.name}: unsupported key type {type(key).__name__}")
    return key


@dataclass(frozen=True, slots=True)
class KeySet:
    """Verification keys by kid, each already bound to the algorithms it may verify."""

    by_kid: Mapping[str, Mapping[str, jwt.PyJWK]] = field(default_factory=dict)
    # keys published without a kid
    anonymous: tuple[Mapping[str, jwt.PyJWK], ...] = ()
    skipped: tuple[str, ...] = ()

    @classmethod
    def from_jwks(cls, jwks: Iterable[Mapping[str, Any]], allowed: Iterable[str]) -> KeySet:
        """Keep every key usable with an allowed algorithm; say why each other was skipped."""
        allowed_set = frozenset(allowed)
        by_kid: dict[str, dict[str, jwt.PyJWK]] = {}
        anonymous: list[dict[str, jwt.PyJWK]] = []
        skipped: list[str] = []
        for index, jwk in enumerate(jwks):
            kid = jwk.get("kid")
            label = f"key {kid!r}" if isinstance(kid, str) else f"key #{index}"
            bound, why = _bind(jwk, allowed_set)
            if not bound:
                skipped.append(f"{label}: {why}")
                continue
            if isinstance(kid, str):
                by_kid.setdefault(kid, {}).update(bound)
            else:
                anonymous.append(bound)
        return cls(by_kid, tuple(anonymous), tuple(skipped))

    def __len__(self) -> int:
        return len(self.by_kid) + len(self.anonymous)

    def has_kid(self, kid: str) -> bool:
        return kid in self.by_kid

    def lookup(self, kid: str | None, alg: str) -> jwt.PyJWK | None:
        """The one key that may verify a token with this ``kid`` and ``alg``, if any.

        A key without a kid is a candidate for any token when it is the only one
        for the algorithm; a token without a kid needs exactly one candidate.
        """
        if kid is not None:
            found = self.by_kid.get(kid)
            if found is not None:
                return found.get(alg)
        candidates = [k[alg] for k in self.anonymous if alg in k]
        if kid is None:
            candidates += [k[alg] for k in self.by_kid.values() if alg in k]
        return candidates[0] if len(candidates) == 1 else None


def _bind(jwk: Mapping[str, Any], allowed: frozenset[str]) -> tuple[dict[str, jwt.PyJWK], str]:
    if "d" in jwk or jwk.get("kty") == "oct":
        return {}, "private or symmetric keys are never used for verification"
    use = jwk.get("use")
    if use is not None and use != "sig":
        return {}, f"use is {use!r}, not 'sig'"
    ops = jwk.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        return {}, "key_ops does not include 'verify'"
    algs = algorithms_for(jwk) & allowed
    declared = jwk.get("alg")
    if declared is not None:
        algs &= {declared}
    if not algs:
        kind = jwk.get("kty")
        if declared is not None:
            return {}, f"its alg {declared!r} is not an allowed algorithm for a {kind} key"
        return {}, f"no allowed algorithm ({', '.join(sorted(allowed))}) fits a {kind} key"
    bound: dict[str, jwt.PyJWK] = {}
    for alg in sorted(algs):
        try:
            key = jwt.PyJWK(dict(jwk), algorithm=alg)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            return {}, f"unreadable: {exc}"
        if isinstance(key.key, rsa.RSAPublicKey) and key.key.key_size < MIN_RSA_BITS:
            return {}, f"RSA key of {key.key.key_size} bits (at least {MIN_RSA_BITS} needed)"
        bound[alg] = key
    return bound, ""
