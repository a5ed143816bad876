"""Validated claims -> :class:`Identity`, by the issuer's claim mapping.

Claims of the wrong shape are errors, not silently dropped grants: an
``agency`` that is a list, or a ``scope`` that is a number, means the issuer
and the gateway disagree about what a token says, and guessing would hand
out the wrong agency or too many rights.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aggregator.config.auth_model import IssuerConfig
from aggregator.security.identity import AuthenticationError, Identity

__all__ = ["declare_purpose", "identity_from_claims"]

_PURPOSE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")
_MAX_VALUE = 256


def _strings(value: Any, claim: str, *, split: bool) -> list[str]:
    if isinstance(value, str):
        return value.split() if split else [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise AuthenticationError(f"the '{claim}' claim must be a string or a list of strings")


def _single(claims: Mapping[str, Any], claim: str | None, what: str) -> str | None:
    if claim is None or claims.get(claim) is None:
        return None
    value = claims[claim]
    if not isinstance(value, str) or not value or len(value) > _MAX_VALUE:
        raise AuthenticationError(f"the '{claim}' claim ({what}) must be a non-empty string")
    return value


def identity_from_claims(claims: Mapping[str, Any], issuer: IssuerConfig) -> Identity:
    subject = _single(claims, issuer.subject_claim, "subject")
    if subject is None:
        raise AuthenticationError(f"the token has no '{issuer.subject_claim}' claim")
    source = issuer.scopes
    scopes: set[str] = set()
    for claim in source.claims:
        if claims.get(claim) is not None:
            scopes.update(_strings(claims[claim], claim, split=True))
    if source.role_claim is not None and claims.get(source.role_claim) is not None:
        for role in _strings(claims[source.role_claim], source.role_claim, split=False):
            scopes.update(source.roles.get(role, ()))
    purpose = None
    raw = claims.get(issuer.purpose_claim) if issuer.purpose_claim is not None else None
    if raw is not None:
        # a string is the purpose; a list only says which purposes a request may declare
        _strings(raw, str(issuer.purpose_claim), split=False)
        if isinstance(raw, str):
            purpose = _single(claims, issuer.purpose_claim, "purpose of use")
    exp = claims.get("exp")
    return Identity(
        subject=subject,
        issuer=issuer.issuer,
        agency=_single(claims, issuer.agency_claim, "agency"),
        scopes=frozenset(scopes),
        purpose=purpose,
        claims=claims,
        expires_at=int(exp) if isinstance(exp, int | float) else None,
    )


def declare_purpose(identity: Identity, declared: str, issuer: IssuerConfig) -> Identity:
    """The identity acting for a purpose declared in a request header.

    Where the token carries purposes (a string or a list), the declared one must be
    among them; a token without the claim lets the caller declare any purpose.
    """
    if not _PURPOSE.fullmatch(declared):
        raise AuthenticationError(
            "the declared purpose of use is not a valid purpose name", error="invalid_request"
        )
    allowed = identity.claims.get(issuer.purpose_claim) if issuer.purpose_claim else None
    if allowed is not None:
        permitted = _strings(allowed, str(issuer.purpose_claim), split=False)
        if declared not in permitted:
            raise AuthenticationError(
                f"the token does not permit purpose of use '{declared}'", error="invalid_request"
            )
    if identity.purpose == declared:
        return identity
    return replace(identity, purpose=declared)
