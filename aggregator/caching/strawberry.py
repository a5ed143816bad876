"""``@cacheControl`` and ``@cacheTag`` for Python subgraphs written with strawberry.

Printed exactly as docs/caching.md declares them in SDL: linked from the
aggregator cache spec, composed with ``@composeDirective``, and
``@cacheControl`` repeatable, so Apollo's composition and ours both carry
them into the supergraph::

    from aggregator.caching.strawberry import CacheControl, CacheControlScope

    @strawberry.type(directives=[CacheControl(max_age=3600)])
    class Vaccine: ...

    @strawberry.field(directives=[CacheControl(max_age=300, scope=CacheControlScope.PRIVATE)])
    def immunisations(self) -> list[Immunisation]: ...
"""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.federation import schema_directive
from strawberry.schema_directive import Location

from aggregator.caching.hints import CACHE_SPEC_URL

__all__ = ["CacheControl", "CacheControlScope", "CacheTag"]

_LOCATIONS = [Location.FIELD_DEFINITION, Location.OBJECT, Location.INTERFACE, Location.UNION]


@strawberry.enum
class CacheControlScope(Enum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


@schema_directive(
    locations=_LOCATIONS,
    name="cacheControl",
    repeatable=True,
    compose=True,
    import_url=CACHE_SPEC_URL,
)
class CacheControl:
    """How long the data may be reused, and by whom (Apollo's arguments and semantics)."""

    # UNSET, not None: unset arguments are left out of the printed SDL
    max_age: int | None = strawberry.UNSET
    scope: CacheControlScope | None = strawberry.UNSET
    inherit_max_age: bool | None = strawberry.UNSET


@schema_directive(
    locations=_LOCATIONS,
    name="cacheTag",
    repeatable=True,
    compose=True,
    import_url=CACHE_SPEC_URL,
)
class CacheTag:
    """A name to purge every entry holding this type or field by (``aggregator cache purge``)."""

    name: str
