"""Fed2 subgraphs that write `extend type` / `@extends` with an `@external` key.

In federation 2 an extension is just a type: the subgraph can still start a query
at it (`cheapestLicence`, `dutyClerk`) and resolve it by key, and an `@external`
non-key field is reachable there only through `@provides`.
"""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

LICENCES = [
    {"id": "l1", "title": "Fishing", "fee": 35.5},
    {"id": "l2", "title": "Street trading", "fee": 12.0},
    {"id": "l3", "title": "Event", "fee": 80.0},
]
CLERKS = [
    {"id": "k1", "name": "Rosa Quinn", "phone": "555-0101", "desk": "D4"},
    {"id": "k2", "name": "Ivo Marsh", "phone": None, "desk": "B2"},
]


def _cheapest(_: Any, __: Any) -> dict[str, Any]:
    row = min(LICENCES, key=lambda r: r["fee"])
    return {"id": row["id"], "fee": row["fee"]}


def _clerk_name(clerk: dict[str, Any], _args: Any) -> str:
    return clerk.get("name", "not provided here")


def build() -> dict[str, Resolvers]:
    return {
        "fees": {
            "Query.cheapestLicence": _cheapest,
            "Licence": lambda rep: next(
                ({"id": r["id"], "fee": r["fee"]} for r in LICENCES if r["id"] == rep["id"]), None
            ),
        },
        "licences": {
            "Query.licences": lambda _, __: [
                {"id": r["id"], "title": r["title"]} for r in LICENCES
            ],
            "Licence": lookup(LICENCES, "id"),
        },
        "clerks": {
            "Query.dutyClerk": lambda _, __: {"id": "k1", "desk": "D4"},
            "Query.dutyClerkWithName": lambda _, __: {
                "id": "k2",
                "desk": "B2",
                "name": "Ivo Marsh",
            },
            "Clerk": lambda rep: next(
                ({"id": c["id"], "desk": c["desk"]} for c in CLERKS if c["id"] == rep["id"]), None
            ),
            "Clerk.name": _clerk_name,
        },
        "staff": {
            "Query.clerk": lambda _, args: next(
                (c for c in CLERKS if c["id"] == args.get("id")), None
            ),
            "Clerk": lookup(CLERKS, "id"),
        },
    }
