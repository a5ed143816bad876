"""The caching subsystem's exceptions.

Exceptions::

    CacheError                   anything the cache cannot do
     +-- BackendUnavailable      the backend (Redis) did not answer in time or refused;
     |                           callers bypass the cache and keep serving
     +-- InvalidPurge            a purge request names no type, key, subgraph or tag the
                                 cache knows (answered 400, or one line on the command line)
"""

from __future__ import annotations

__all__ = ["BackendUnavailable", "CacheError", "InvalidPurge"]


class CacheError(Exception):
    """Base of the caching subsystem's errors."""


class BackendUnavailable(CacheError):
    """The backend cannot be used right now; the request goes to the subgraph instead."""


class InvalidPurge(CacheError):
    """A purge request that cannot be carried out as asked."""
