"""Check one compact JWT against the issuer it names, with pyjwt.

Order matters for what an attacker can make the gateway do: the header and
the (unverified) ``iss`` are only used to pick among configured issuers and
their keys; nothing in them is fetched or trusted. ``jku``, ``x5u``, ``x5c``
and an embedded ``jwk`` are ignored, ``crit`` is refused (no extension is
understood), ``alg`` must be one the issuer allows *and* one the chosen key
can verify, and pyjwt then checks the signature and ``iss`` (exactly), ``aud``,
``exp``, ``nbf`` and ``iat`` (required) with the issuer's leeway.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import jwt

from aggregator.config.auth_model import IssuerConfig
from aggregator.security.claims import identity_from_claims
from aggregator.security.identity import AuthenticationError, Identity
from aggregator.security.jwks import KeySource

__all__ = ["IssuerValidator", "unverified_parts"]

_MAX_KID = 256
_REQUIRED = ["exp", "iat", "iss", "aud"]


def _segment(part: str, what: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise AuthenticationError(f"the token {what} is not base64url-encoded JSON") from exc
    if not isinstance(value, dict):
        raise AuthenticationError(f"the token {what} is not a JSON object")
    return value


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload, decoded but NOT verified: only for choosing issuer and key."""
    header, payload, _ = token.split(".")
    return _segment(header, "header"), _segment(payload, "payload")


class IssuerValidator:
    def __init__(self, config: IssuerConfig, keys: KeySource) -> None:
        self.config = config
        self.keys = keys
        self._options: Any = {
            "require": [*_REQUIRED, config.subject_claim],
            "enforce_minimum_key_length": True,
            "verify_sub": config.subject_claim == "sub",
        }

    def _check_header(self, header: Mapping[str, Any]) -> tuple[str | None, str]:
        config = self.config
        if "crit" in header:
            raise AuthenticationError("the token has critical header extensions ('crit')")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in config.algorithms:
            raise AuthenticationError("the token's algorithm is not accepted for this issuer")
        kid = header.get("kid")
        if kid is not None and (not isinstance(kid, str) or not kid or len(kid) > _MAX_KID):
            raise AuthenticationError("the token's kid is not a short string")
        if config.require_typ is not None:
            typ = header.get("typ")
            wanted = config.require_typ.lower()
            if not isinstance(typ, str) or typ.lower() not in (wanted, f"application/{wanted}"):
                raise AuthenticationError(f"the token's typ must be {config.require_typ!r}")
        return kid, alg

    async def validate(self, token: str, header: Mapping[str, Any]) -> Identity:
        kid, alg = self._check_header(header)
        key = await self.keys.key(kid, alg)
        config = self.config
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=list(config.audiences),
                issuer=config.issuer,
                leeway=config.leeway_s,
                options=self._options,
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("the token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthenticationError("the token is not valid yet") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthenticationError("the token is not meant for this gateway (aud)") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"the token has no '{exc.claim}' claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthenticationError("the token's signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"the token is invalid: {exc}") from exc
        return identity_from_claims(claims, config)
