"""Security: who the caller is, what they may see, and what was released to them.

Identity (tokens, keys) establishes an :class:`Identity`; authorization rewrites
the operation before planning so no agency is asked for a field the caller may
not see; masking, purpose of use and the disclosure log account for what was
released. Hostile-operation limits, demand control, error redaction, trusted
documents and rate limits protect the gateway and the agencies behind it
(docs/security.md).
"""

from aggregator.security.cost import CostPolicy
from aggregator.security.identity import AuthenticationError, Authenticator, Identity
from aggregator.security.limits import LimitExceeded, OperationLimits
from aggregator.security.ratelimit import KeyKind, RateLimiter, RateLimitPolicy
from aggregator.security.redaction import ErrorPolicy
from aggregator.security.trusted_documents import (
    Enforcement,
    TrustedDocuments,
    TrustedDocumentsError,
)

__all__ = [
    "AuthenticationError",
    "Authenticator",
    "CostPolicy",
    "Enforcement",
    "ErrorPolicy",
    "Identity",
    "KeyKind",
    "LimitExceeded",
    "OperationLimits",
    "RateLimitPolicy",
    "RateLimiter",
    "TrustedDocuments",
    "TrustedDocumentsError",
]
