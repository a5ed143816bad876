"""Security: who the caller is, what they may see, and what was released to them.

Identity (tokens, keys) establishes an :class:`Identity`; authorization rewrites
the operation before planning so no agency is asked for a field the caller may
not see; masking, purpose of use and the disclosure log account for what was
released. Hostile-operation limits, demand control, error redaction, trusted
documents and rate limits protect the gateway and the agencies behind it
(docs/security.md).

Exceptions::

    AuthenticationError                      identity: answer 401
    AuthorizationSetupError (ConfigError)    authorization: the supergraph cannot be enforced
    PolicyError                              a policy engine gave no usable decision (denies)
    LimitExceeded                            an operation over a configured limit
    TrustedDocumentsError                    a manifest that cannot be used
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aggregator.security.authn import JwtAuthenticator, build_authenticator
    from aggregator.security.authorization import (
        AuthorizationOptions,
        AuthorizationSetupError,
        Disclosure,
        DisclosureHook,
        authorization_options,
        check_enforceable,
    )
    from aggregator.security.cost import CostPolicy
    from aggregator.security.identity import (
        AuthenticationError,
        Authenticator,
        Identity,
        IdentityProviderUnavailable,
    )
    from aggregator.security.internal_tokens import InternalTokenSigner
    from aggregator.security.limits import LimitExceeded, OperationLimits
    from aggregator.security.policies import (
        EmbeddedPolicyEngine,
        OpaPolicyEngine,
        PolicyEngine,
        PolicyError,
        PolicyRequest,
    )
    from aggregator.security.propagation import HeaderPropagation
    from aggregator.security.ratelimit import KeyKind, RateLimiter, RateLimitPolicy
    from aggregator.security.trusted_documents import (
        Enforcement,
        TrustedDocuments,
        TrustedDocumentsError,
    )
    from aggregator.transport.redaction import ErrorPolicy

# imported on first use: a module that needs only the limits (the document worker
# process) must not load token validation, HTTP clients and the config loader with them
_EXPORTS = {
    "AuthenticationError": "aggregator.security.identity",
    "Authenticator": "aggregator.security.identity",
    "AuthorizationOptions": "aggregator.security.authorization",
    "AuthorizationSetupError": "aggregator.security.authorization",
    "CostPolicy": "aggregator.security.cost",
    "Disclosure": "aggregator.security.authorization",
    "DisclosureHook": "aggregator.security.authorization",
    "EmbeddedPolicyEngine": "aggregator.security.policies",
    "Enforcement": "aggregator.security.trusted_documents",
    "ErrorPolicy": "aggregator.transport.redaction",
    "HeaderPropagation": "aggregator.security.propagation",
    "Identity": "aggregator.security.identity",
    "IdentityProviderUnavailable": "aggregator.security.identity",
    "InternalTokenSigner": "aggregator.security.internal_tokens",
    "JwtAuthenticator": "aggregator.security.authn",
    "KeyKind": "aggregator.security.ratelimit",
    "LimitExceeded": "aggregator.security.limits",
    "OpaPolicyEngine": "aggregator.security.policies",
    "OperationLimits": "aggregator.security.limits",
    "PolicyEngine": "aggregator.security.policies",
    "PolicyError": "aggregator.security.policies",
    "PolicyRequest": "aggregator.security.policies",
    "RateLimitPolicy": "aggregator.security.ratelimit",
    "RateLimiter": "aggregator.security.ratelimit",
    "TrustedDocuments": "aggregator.security.trusted_documents",
    "TrustedDocumentsError": "aggregator.security.trusted_documents",
    "authorization_options": "aggregator.security.authorization",
    "build_authenticator": "aggregator.security.authn",
    "check_enforceable": "aggregator.security.authorization",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "AuthenticationError",
    "Authenticator",
    "AuthorizationOptions",
    "AuthorizationSetupError",
    "CostPolicy",
    "Disclosure",
    "DisclosureHook",
    "EmbeddedPolicyEngine",
    "Enforcement",
    "ErrorPolicy",
    "HeaderPropagation",
    "Identity",
    "IdentityProviderUnavailable",
    "InternalTokenSigner",
    "JwtAuthenticator",
    "KeyKind",
    "LimitExceeded",
    "OpaPolicyEngine",
    "OperationLimits",
    "PolicyEngine",
    "PolicyError",
    "PolicyRequest",
    "RateLimitPolicy",
    "RateLimiter",
    "TrustedDocuments",
    "TrustedDocumentsError",
    "authorization_options",
    "build_authenticator",
    "check_enforceable",
]
