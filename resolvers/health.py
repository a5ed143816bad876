"""Health agency: immunisation records, a strawberry federation subgraph over HTTP.

The demo serves it with ``strawberry.asgi.GraphQL`` on its own port, so the
gateway reaches it like any remote Apollo Federation v2 service.
"""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.federation.schema_directives import RequiresScopes

from aggregator.caching.strawberry import CacheControl, CacheControlScope
from aggregator.demo.data import demo_data

__all__ = ["Citizen", "Immunisation", "Query", "schema"]


@strawberry.type(directives=[CacheControl(max_age=300, scope=CacheControlScope.PRIVATE)])
class Immunisation:
    vaccine_code: str
    vaccine_name: str
    date_given: date
    provider: str
    dose: int


def _immunisations(root: Citizen) -> list[Immunisation] | None:
    return [Immunisation(**shot) for shot in demo_data().immunisations.get(str(root.id), [])]


# per-citizen data: cached for five minutes, for the caller (subject) only
@strawberry.federation.type(
    keys=["id"], directives=[CacheControl(max_age=300, scope=CacheControlScope.PRIVATE)]
)
class Citizen:
    id: strawberry.ID
    # health data needs the health:read scope; nullable, so a caller without it still gets
    # the rest of the citizen
    immunisations: list[Immunisation] | None = strawberry.field(
        resolver=_immunisations, directives=[RequiresScopes(scopes=[["health:read"]])]
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Citizen:
        return cls(id=id)


@strawberry.type(directives=[CacheControl(max_age=3600)])  # public reference data: one hour
class Vaccine:
    code: str
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def vaccines(self) -> list[Vaccine]:
        seen: dict[str, str] = {}
        for shots in demo_data().immunisations.values():
            for shot in shots:
                seen[shot["vaccine_code"]] = shot["vaccine_name"]
        return [Vaccine(code=c, name=n) for c, n in sorted(seen.items())]


schema = strawberry.federation.Schema(query=Query, types=[Citizen], federation_version="2.5")
