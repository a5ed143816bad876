"""Security: who the caller is, what they may see, and what was released to them.

Identity (tokens, keys) establishes an :class:`Identity`; authorization rewrites
the operation before planning so no agency is asked for a field the caller may
not see; masking, purpose of use and the disclosure log account for what was
released.

Exceptions::

    AuthenticationError                      identity: answer 401
    AuthorizationSetupError (ConfigError)    authorization: the supergraph cannot be enforced
    PolicyError                              a policy engine gave no usable decision (denies)
"""

from aggregator.security.authn import JwtAuthenticator, build_authenticator
from aggregator.security.authorization import (
    AuthorizationOptions,
    AuthorizationSetupError,
    Disclosure,
    DisclosureHook,
    authorization_options,
    check_enforceable,
)
from aggregator.security.identity import (
    AuthenticationError,
    Authenticator,
    Identity,
    IdentityProviderUnavailable,
)
from aggregator.security.internal_tokens import InternalTokenSigner
from aggregator.security.policies import (
    EmbeddedPolicyEngine,
    OpaPolicyEngine,
    PolicyEngine,
    PolicyError,
    PolicyRequest,
)
from aggregator.security.propagation import HeaderPropagation

__all__ = [
    "AuthenticationError",
    "Authenticator",
    "AuthorizationOptions",
    "AuthorizationSetupError",
    "Disclosure",
    "DisclosureHook",
    "EmbeddedPolicyEngine",
    "HeaderPropagation",
    "Identity",
    "IdentityProviderUnavailable",
    "InternalTokenSigner",
    "JwtAuthenticator",
    "OpaPolicyEngine",
    "PolicyEngine",
    "PolicyError",
    "PolicyRequest",
    "authorization_options",
    "build_authenticator",
    "check_enforceable",
]
