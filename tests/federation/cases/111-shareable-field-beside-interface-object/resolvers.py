"""A `@shareable` field also served through an `@interfaceObject` (issue 13, behaviour 5).

`Staff.active` is `@shareable` in registry, which owns the `Member` interface;
status serves `active` for every `Member` as an `@interfaceObject`, and rota is a
third `@interfaceObject` that only knows ids and shifts. Reached from an
`@interfaceObject` subgraph, `active` is read from status with the interface's key
(no trip to registry for the concrete type); reached from registry with the concrete
type known, `Staff.active` is local. Both subgraphs agree on every value.
"""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

MEMBERS: list[dict[str, Any]] = [
    {"__typename": "Staff", "id": "m1", "name": "Ines", "grade": 3, "active": True},
    {"__typename": "Volunteer", "id": "m2", "name": "Omar", "hours": 12, "active": False},
    {"__typename": "Staff", "id": "m3", "name": "Lea", "grade": 5, "active": False},
]
SINCE = {"m1": "2019", "m2": "2023", "m3": "2021"}
SHIFTS = {"m1": "early", "m2": "late", "m3": "night"}


def _status(rep: dict[str, Any]) -> dict[str, Any] | None:
    row = next((m for m in MEMBERS if m["id"] == rep["id"]), None)
    if row is None:
        return None
    return {"id": row["id"], "active": row["active"], "since": SINCE[row["id"]]}


def build() -> dict[str, Resolvers]:
    registry_rows = [
        {k: v for k, v in m.items() if k != "active" or m["__typename"] == "Staff"} for m in MEMBERS
    ]
    return {
        "registry": {
            "Query.members": lambda _, __: registry_rows,
            "Query.staff": lambda _, __: [m for m in registry_rows if m["__typename"] == "Staff"],
            "Member": lookup(registry_rows, "id"),
            "Staff": lookup(registry_rows, "id"),
            "Volunteer": lookup(registry_rows, "id"),
        },
        "status": {
            "Query.onDuty": lambda _, __: [_status(m) for m in MEMBERS if m["active"]],
            "Member": _status,
        },
        "rota": {
            "Query.rota": lambda _, __: [
                {"id": m["id"], "shift": SHIFTS[m["id"]]} for m in MEMBERS
            ],
            "Member": lambda rep: {"id": rep["id"], "shift": SHIFTS[rep["id"]]},
        },
    }
