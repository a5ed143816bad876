"""``Cache-Control``, ``ETag`` and 304 for GraphQL responses.

The policy comes from the gateway (what the response included); this module
only writes it. ``ETag`` is a hash of the exact body, so a GET whose
``If-None-Match`` names it is answered 304 without a body: the client's copy
is byte-identical. ``Vary: Authorization`` tells shared caches that the same
URL answers differently per caller where callers authenticate.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aggregator.caching.policy import ResponsePolicy

__all__ = ["etag_of", "if_none_match", "response_cache_headers"]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def if_none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, RFC 9110 §13.1.2)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == bare for candidate in header.split(","))


def response_cache_headers(
    policy: ResponsePolicy,
    result: dict[str, Any],
    body: bytes,
    *,
    method: str,
    authenticated: bool,
    varies_by_caller: bool,
) -> dict[str, str]:
    headers = {
        "cache-control": policy.header(
            has_errors=bool(result.get("errors")), authenticated=authenticated
        )
    }
    if varies_by_caller:
        headers["vary"] = "Authorization"
    if method == "GET" and not result.get("errors"):
        headers["etag"] = etag_of(body)
    return headers
