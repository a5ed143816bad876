"""How the server answers a caller authentication refused, and serves the gateway's JWKS.

Kept out of ``app.py`` so the request path there stays one call: ask the
configured :class:`Authenticator` for the caller, or answer with the status
the error carries (401 with ``WWW-Authenticate``; 503 with ``Retry-After``
when the identity provider's keys are unavailable) and a GraphQL error body,
so GraphQL clients see ``extensions.code`` like any other failure.
"""

from __future__ import annotations

import math

import orjson

from aggregator.errors import ErrorCode, graphql_error
from aggregator.security.identity import AuthenticationError, IdentityProviderUnavailable

__all__ = ["JWKS_CACHE_CONTROL", "JWKS_PATH", "refusal"]

JWKS_PATH = "/.well-known/jwks.json"
# subgraphs re-read the gateway's keys this often; long enough to spare the gateway,
# short enough that a rotated key is picked up within minutes
JWKS_CACHE_CONTROL = "public, max-age=300"


def refusal(exc: AuthenticationError) -> tuple[int, bytes, dict[str, str]]:
    """Status, JSON body and headers of the response refusing the request."""
    headers: dict[str, str] = {}
    if isinstance(exc, IdentityProviderUnavailable):
        code = ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE
        headers["retry-after"] = str(max(1, math.ceil(exc.retry_after_s)))
    else:
        code = ErrorCode.UNAUTHENTICATED
        headers["www-authenticate"] = exc.www_authenticate
    body = orjson.dumps({"errors": [graphql_error(exc.message, code)]})
    return exc.status, body, headers
