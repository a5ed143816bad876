"""Security: who the caller is, what they may see, and what was released to them.

Identity (tokens, keys) establishes an :class:`Identity`; authorization rewrites
the operation before planning so no agency is asked for a field the caller may
not see; masking, purpose of use and the disclosure log account for what was
released.
"""

from aggregator.security.authn import JwtAuthenticator, build_authenticator
from aggregator.security.identity import (
    AuthenticationError,
    Authenticator,
    Identity,
    IdentityProviderUnavailable,
)
from aggregator.security.internal_tokens import InternalTokenSigner
from aggregator.security.propagation import HeaderPropagation

__all__ = [
    "AuthenticationError",
    "Authenticator",
    "HeaderPropagation",
    "Identity",
    "IdentityProviderUnavailable",
    "InternalTokenSigner",
    "JwtAuthenticator",
    "build_authenticator",
]
