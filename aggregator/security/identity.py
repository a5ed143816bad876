"""Who is calling: the one value authentication hands to everything after it.

Authentication (``aggregator.security.authn``) turns a request's headers into
an :class:`Identity`, or ``None`` for an anonymous caller, or raises
:class:`AuthenticationError`. Everything downstream (authorization before
planning, header propagation and internal tokens, cache partitions, rate-limit
keys, the disclosure log) reads only this value, never the raw token: the
agency, subject and grants a request acts under come from a validated token
and from nowhere else.

Exceptions::

    AuthenticationError      the request must be answered 401 (never downgraded to anonymous)
     +-- IdentityProviderUnavailable
                             no keys to check the token with (identity provider down past the
                             stale limit): 503 with Retry-After, so clients do not discard a
                             token that may well be valid
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["AuthenticationError", "Authenticator", "Identity", "IdentityProviderUnavailable"]


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller whose token was validated.

    ``scopes`` are the grants after the configured claim mapping (``scope``/``scp``,
    or roles -> scopes); ``purpose`` is the declared purpose of use (from a claim, or
    from a header where the operator allows it). ``claims`` keeps the validated claims
    for policies; it is never logged or forwarded whole.
    """

    subject: str
    issuer: str
    agency: str | None = None
    scopes: frozenset[str] = frozenset()
    purpose: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    expires_at: int | None = None


class AuthenticationError(Exception):
    """A request whose credentials are missing (where required), malformed or invalid.

    ``error`` is the RFC 6750 error code for ``WWW-Authenticate`` (``invalid_token``,
    ``invalid_request``) or ``None`` when no credentials were sent at all.
    """

    status = 401

    def __init__(
        self, message: str, *, error: str | None = "invalid_token", realm: str = "aggregator"
    ):
        super().__init__(message)
        self.message = message
        self.error = error
        self.realm = realm

    @property
    def www_authenticate(self) -> str:
        value = f'Bearer realm="{self.realm}"'
        if self.error is not None:
            # RFC 6750 error_description: printable ASCII without '"' and '\\'
            description = "".join(
                c if c != '"' else "'" for c in self.message if " " <= c <= "~" and c != "\\"
            )
            value += f', error="{self.error}", error_description="{description}"'
        return value


class IdentityProviderUnavailable(AuthenticationError):
    """The token cannot be checked right now: its issuer's keys are unavailable."""

    status = 503

    def __init__(self, message: str, *, retry_after_s: float, realm: str = "aggregator"):
        super().__init__(message, error=None, realm=realm)
        self.retry_after_s = retry_after_s


class Authenticator(Protocol):
    """Turns a request's raw headers into the caller's identity.

    Raw ``(name, value)`` pairs, not a dict: two ``Authorization`` headers must be seen
    (and refused), not silently collapsed into one. Returns ``None`` for an anonymous
    caller where anonymous access is allowed; raises :class:`AuthenticationError` for
    anything that must be answered 401.
    """

    async def authenticate(self, headers: Sequence[tuple[bytes, bytes]]) -> Identity | None: ...
