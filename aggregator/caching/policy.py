"""Cache-control math: scopes, policies, restriction, and the HTTP header both ways.

A :class:`CachePolicy` is how long a piece of data may be reused and by whom.
Combining two pieces of data *restricts*: the shorter max age wins and
PRIVATE wins over PUBLIC (Apollo Server's rule). ``Cache-Control`` headers of
subgraphs and REST backends are read into the same shape, and the response to
a frontend gets one written from the restriction of everything it included.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CachePolicy",
    "HeaderPolicy",
    "ResponsePolicy",
    "Scope",
    "parse_cache_control",
]


class Scope(StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """``max_age`` seconds (0: never reuse); ``scope`` PRIVATE means one subject only."""

    max_age: float
    scope: Scope = Scope.PUBLIC

    @property
    def cacheable(self) -> bool:
        return self.max_age > 0

    def restrict(self, other: CachePolicy) -> CachePolicy:
        scope = Scope.PRIVATE if Scope.PRIVATE in (self.scope, other.scope) else Scope.PUBLIC
        return CachePolicy(min(self.max_age, other.max_age), scope)


UNCACHEABLE = CachePolicy(0.0)


@dataclass(frozen=True, slots=True)
class HeaderPolicy:
    """What one ``Cache-Control`` (and ``Expires``/``Age``) response said.

    ``max_age`` is None when the header gave no freshness; ``no_store`` when the
    response must not be kept at all; ``no_cache`` when it may be kept but only
    reused after revalidation; ``public`` when the sender allows shared caches to
    keep a response to an authenticated request.
    """

    max_age: float | None = None
    private: bool = False
    no_store: bool = False
    no_cache: bool = False
    public: bool = False

    def policy(self) -> CachePolicy | None:
        """The policy for reuse without revalidation; None when the header says nothing."""
        if self.no_store or self.no_cache:
            return UNCACHEABLE
        if self.max_age is None:
            return CachePolicy(0.0, Scope.PRIVATE) if self.private else None
        return CachePolicy(self.max_age, Scope.PRIVATE if self.private else Scope.PUBLIC)


def _seconds(value: str) -> float | None:
    value = value.strip().strip('"')
    if not value.isdigit():
        return None
    return float(int(value))


def parse_cache_control(value: str | None, age: str | None = None) -> HeaderPolicy | None:
    """Read a ``Cache-Control`` value (RFC 9111 §5.2.2) as a shared cache would.

    ``s-maxage`` wins over ``max-age``; ``Age`` is subtracted; an unparsable
    directive value makes the response uncacheable (fail closed), and unknown
    directives are ignored as the RFC says.
    """
    if value is None:
        return None
    max_age: float | None = None
    s_maxage: float | None = None
    private = no_store = no_cache = public = False
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        name = name.strip().lower()
        if name == "no-store":
            no_store = True
        elif name == "no-cache":
            no_cache = True
        elif name == "private":
            private = True
        elif name == "public":
            public = True
        elif name in ("max-age", "s-maxage"):
            seconds = _seconds(argument)
            if seconds is None:
                no_store = True
            elif name == "max-age":
                max_age = seconds
            else:
                s_maxage = seconds
    fresh = s_maxage if s_maxage is not None else max_age
    if fresh is not None and age is not None:
        elapsed = _seconds(age)
        fresh = max(0.0, fresh - elapsed) if elapsed is not None else 0.0
    return HeaderPolicy(fresh, private, no_store, no_cache, public or s_maxage is not None)


class ResponsePolicy:
    """The policy of one client response, restricted by everything it included.

    The executor records each fetch (fetched or served from the cache); the
    server turns the result into ``Cache-Control``. A response with errors, a
    mutation, or any uncacheable part gets ``no-store``; any private part, or an
    authenticated caller (whose response reflects their grants), ``private``.
    """

    __slots__ = ("_max_age", "_private", "fetches", "uncacheable")

    def __init__(self) -> None:
        self._max_age = float("inf")
        self._private = False
        self.fetches = 0
        self.uncacheable = False

    def include(self, policy: CachePolicy) -> None:
        self.fetches += 1
        self._max_age = min(self._max_age, policy.max_age)
        if policy.scope is Scope.PRIVATE:
            self._private = True
        if policy.max_age <= 0:
            self.uncacheable = True

    def mark_uncacheable(self) -> None:
        self.uncacheable = True

    def result(self, *, has_errors: bool, authenticated: bool) -> CachePolicy:
        if has_errors or self.uncacheable or self.fetches == 0:
            return UNCACHEABLE
        private = self._private or authenticated
        return CachePolicy(self._max_age, Scope.PRIVATE if private else Scope.PUBLIC)

    def header(self, *, has_errors: bool, authenticated: bool) -> str:
        """The ``Cache-Control`` value for the response."""
        policy = self.result(has_errors=has_errors, authenticated=authenticated)
        if not policy.cacheable:
            return "no-store"
        seconds = int(policy.max_age)
        if seconds <= 0:
            return "no-store"
        visibility = "private" if policy.scope is Scope.PRIVATE else "public"
        return f"max-age={seconds}, {visibility}"
