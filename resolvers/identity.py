"""Identity agency: the citizen registry, a strawberry federation subgraph.

Owns ``Citizen`` (name, date of birth, address); the other agencies extend it
by ``id``. The gateway runs this module in-process; ``strawberry.asgi.GraphQL
(schema)`` serves the very same schema over HTTP.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from aggregator.demo.data import demo_data

__all__ = ["Address", "Citizen", "Query", "schema"]


@strawberry.type
class Address:
    line1: str
    locality: str
    region: str
    postcode: str


@strawberry.federation.type(keys=["id"])
class Citizen:
    id: strawberry.ID
    given_name: str
    family_name: str
    date_of_birth: date
    # where a citizen lives is for signed-in callers only
    address: Address | None = strawberry.federation.field(authenticated=True)

    @strawberry.field
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Citizen | None:
        return _citizen(str(id))


def _from_record(record: dict[str, Any]) -> Citizen:
    return Citizen(
        id=strawberry.ID(record["id"]),
        given_name=record["givenName"],
        family_name=record["familyName"],
        date_of_birth=record["dateOfBirth"],
        address=Address(**record["address"]),
    )


def _citizen(citizen_id: str) -> Citizen | None:
    for record in demo_data().citizens:
        if record["id"] == citizen_id:
            return _from_record(record)
    return None


@strawberry.type
class Query:
    @strawberry.field
    def citizen(self, id: strawberry.ID) -> Citizen | None:
        return _citizen(str(id))

    @strawberry.field
    def citizens(self, first: int = 10, offset: int = 0) -> list[Citizen]:
        records = demo_data().citizens[offset : offset + min(max(first, 0), 100)]
        return [_from_record(r) for r in records]


schema = strawberry.federation.Schema(query=Query, federation_version="2.5")
