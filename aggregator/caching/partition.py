"""Cache partitions: which callers may share an entry.

Every key carries a partition. PUBLIC entries are shared by callers of the
same agency with the same authorization-relevant grants; PRIVATE entries also
carry the subject. So no entry ever crosses agencies or grant sets, and
private data never crosses users. Anonymous callers have their own partition
(agency ``None``) and may only use PUBLIC entries.

The grants part is opaque here: the gateway hands it in per request. Until
authorization computes an outcome key, :func:`grants_key_of` derives one from
what the validated token grants (issuer, sorted scopes, purpose of use); when
the authorization outcome key exists, :func:`partition_for` takes it instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from aggregator.caching.policy import Scope
from aggregator.security.identity import Identity

__all__ = ["ANONYMOUS", "CachePartition", "grants_key_of", "partition_for"]

_ANONYMOUS_GRANTS = "anonymous"


def _digest(*parts: str) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode()
        hasher.update(len(data).to_bytes(4, "big"))
        hasher.update(data)
    return hasher.hexdigest()


@dataclass(frozen=True, slots=True)
class CachePartition:
    """Who may read an entry: agency and grants always, subject for PRIVATE data.

    ``subject`` is None for anonymous callers, who may never read or write
    PRIVATE entries. The tokens are hashes, so keys in a shared Redis name no
    user, scope or agency in clear.
    """

    agency: str | None
    grants_key: str
    subject: str | None = None
    public_token: str = ""
    private_token: str | None = None

    @classmethod
    def build(cls, agency: str | None, grants_key: str, subject: str | None) -> CachePartition:
        public = _digest("public", agency or "", "1" if agency is not None else "0", grants_key)
        private = None if subject is None else _digest("private", public, subject)
        return cls(agency, grants_key, subject, public, private)

    def varied(self, values: tuple[str | None, ...]) -> CachePartition:
        """This partition narrowed by the values of the configured ``vary_headers``."""
        if not values:
            return self
        parts = [v if v is not None else "\x00" for v in values]
        public = _digest("vary", self.public_token, *parts)
        private = (
            None if self.private_token is None else _digest("vary", self.private_token, *parts)
        )
        return CachePartition(self.agency, self.grants_key, self.subject, public, private)

    @property
    def anonymous(self) -> bool:
        return self.subject is None

    def token(self, scope: Scope) -> str | None:
        """The key part for an entry of ``scope``; None: such an entry is never cached here."""
        return self.private_token if scope is Scope.PRIVATE else self.public_token


ANONYMOUS = CachePartition.build(None, _ANONYMOUS_GRANTS, None)


def grants_key_of(identity: Identity) -> str:
    """The authorization-relevant grants of a validated caller, as an opaque key.

    Interim: the issuer, the sorted scopes and the purpose of use, i.e. every
    input authorization may decide on. Authorization's outcome key replaces it.
    """
    return _digest("grants", identity.issuer, *sorted(identity.scopes), identity.purpose or "")


@lru_cache(maxsize=4096)
def partition_for(identity: Identity | None, grants_key: str | None = None) -> CachePartition:
    """The partition of one request; the gateway's one place that decides it.

    ``grants_key`` is what authorization decided for this request (None until it
    hands one over: derived from the identity's grants). The subject is scoped to
    its issuer: two issuers may use the same subject string for different people.
    """
    if identity is None:
        return ANONYMOUS
    grants = grants_key if grants_key is not None else grants_key_of(identity)
    return CachePartition.build(
        identity.agency, grants, _digest("subject", identity.issuer, identity.subject)
    )
