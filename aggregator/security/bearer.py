"""The bearer token of a request (RFC 6750 section 2.1), or why there is none.

Works on the raw ASGI header pairs so that two ``Authorization`` headers are
seen and refused rather than collapsed into one. Anything that looks like an
attempt to authenticate but is not exactly one well-formed bearer token (other
schemes, ``Bearer`` alone, a token with characters outside the b64token
syntax, a token above the size cap) is an error, never an anonymous request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aggregator.security.identity import AuthenticationError

__all__ = ["bearer_token", "header_value"]

_AUTHORIZATION = b"authorization"
# RFC 6750 b64token, and the three dot-separated parts of a compact JWS
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def bearer_token(headers: Sequence[tuple[bytes, bytes]], *, max_bytes: int) -> str | None:
    """The token of the one ``Authorization: Bearer`` header; None when there is none."""
    value: bytes | None = None
    for name, raw in headers:
        if name == _AUTHORIZATION or (len(name) == 13 and name.lower() == _AUTHORIZATION):
            if value is not None:
                raise AuthenticationError(
                    "more than one Authorization header", error="invalid_request"
                )
            value = raw
    if value is None:
        return None
    if len(value) > max_bytes + 7:
        raise AuthenticationError(f"the token is larger than {max_bytes} bytes")
    scheme, _, token = value.decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthenticationError("only the Bearer scheme is accepted", error="invalid_request")
    token = token.strip()
    if not token:
        raise AuthenticationError("Bearer without a token", error="invalid_request")
    if len(token) > max_bytes:
        raise AuthenticationError(f"the token is larger than {max_bytes} bytes")
    if not _B64TOKEN.fullmatch(token):
        raise AuthenticationError("the token has characters outside the bearer token syntax")
    if not _JWS.fullmatch(token):
        raise AuthenticationError("the token is not a signed JWT (three base64url parts)")
    return token


def header_value(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The last value of a (lower-case) header, as ASGI servers pass names lower-cased."""
    found: bytes | None = None
    for key, raw in headers:
        if key == name:
            found = raw
    return found.decode("latin-1") if found is not None else None
