"""@interfaceObject roots queried through type conditions and `__typename`.

directory and status see `Member`/`Profile` as plain objects and cannot tell
which implementation a row is. Fields they own answer directly, but a type
condition (`... on Staff { name }`) or `__typename` needs the real type from
registry first, and only then may directory's own `name` be kept for the rows
that match.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

PEOPLE = {
    "p1": {"name": "Orla Byrne", "age": 41, "username": "obyrne"},
    "p2": {"name": "Femi Ade", "age": 29, "username": "fade"},
}
MEMBERS = {
    "m1": {"__typename": "Staff", "isLead": True, "active": True, "name": "Alex Ward"},
    "m2": {"__typename": "Staff", "isLead": False, "active": False, "name": "Bea Costa"},
    "m3": {"__typename": "Volunteer", "isLead": False, "active": True, "name": "Cian Nolan"},
}


def _person(pid: str) -> dict[str, Any] | None:
    p = PEOPLE.get(pid)
    return (
        None
        if p is None
        else {"__typename": "Person", "id": pid, "name": p["name"], "age": p["age"]}
    )


def _member(mid: str) -> dict[str, Any] | None:
    m = MEMBERS.get(mid)
    if m is None:
        return None
    row = {"__typename": m["__typename"], "id": mid, "isLead": m["isLead"]}
    if m["__typename"] == "Staff":
        row["active"] = m["active"]
    return row


def build() -> dict[str, Resolvers]:
    return {
        "registry": {
            "Query.people": lambda _, __: [_person(p) for p in PEOPLE],
            "Profile": lambda rep: _person(rep["id"]),
            "Person": lambda rep: _person(rep["id"]),
            "Member": lambda rep: _member(rep["id"]),
            "Staff": lambda rep: _member(rep["id"]),
            "Volunteer": lambda rep: _member(rep["id"]),
        },
        "directory": {
            "Query.otherPeople": lambda _, __: [
                {"id": p, "username": v["username"]} for p, v in PEOPLE.items()
            ],
            "Query.members": lambda _, __: [
                {"id": m, "name": v["name"]} for m, v in MEMBERS.items()
            ],
            "Profile": lambda rep: {"id": rep["id"], "username": PEOPLE[rep["id"]]["username"]},
            "Member": lambda rep: {"id": rep["id"], "name": MEMBERS[rep["id"]]["name"]},
        },
        "status": {
            "Member": lambda rep: {"id": rep["id"], "active": MEMBERS[rep["id"]]["active"]},
        },
    }
