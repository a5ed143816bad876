"""Permits are only resolvable by `id` in registry and by `id code { serial year }` in offices.

The offices subgraph lists permits but needs `holder` (owned by registry) for
`holderLabel`: the gateway must pick the one resolvable key on each side, go to
registry by `id`, then come back to offices with the composite key plus `holder`.
"""

from typing import Any

from tests.federation.subgraph import Resolvers


def _code(region: str, serial: str, year: str) -> dict[str, str]:
    return {"region": region, "serial": serial, "year": year}


PERMITS: dict[str, dict[str, Any]] = {
    "p1": {"id": "p1", "ref": "R-1", "code": _code("north", "0001", "2024"), "holder": "Ada Byrne"},
    "p2": {"id": "p2", "ref": "R-2", "code": _code("south", "0002", "2025"), "holder": "Tom Keane"},
    "p3": {"id": "p3", "ref": "R-3", "code": _code("north", "0003", "2025"), "holder": "Mia Walsh"},
}
OFFICES = [{"id": "o1", "permits": ["p1", "p3"]}, {"id": "o2", "permits": ["p2"]}]


def _without_holder(pid: str) -> dict[str, Any]:
    row = PERMITS[pid]
    return {"__typename": "Permit", "id": row["id"], "ref": row["ref"], "code": row["code"]}


def _registry_permit(rep: dict[str, Any]) -> dict[str, Any] | None:
    row = PERMITS.get(rep["id"])
    return None if row is None else {"__typename": "Permit", **row}


def _offices_permit(rep: dict[str, Any]) -> dict[str, Any] | None:
    row = PERMITS.get(rep["id"])
    if (
        row is None
        or row["code"]["serial"] != rep["code"]["serial"]
        or row["code"]["year"] != rep["code"]["year"]
    ):
        return None
    found = _without_holder(rep["id"])
    if "holder" in rep:
        found["holder"] = rep["holder"]
    return found


def _label(permit: dict[str, Any], _args: Any) -> str:
    if "holder" not in permit:
        raise ValueError("Permit.holder was not provided")
    return f"permit {permit['ref']} held by {permit['holder']}"


def build() -> dict[str, Resolvers]:
    return {
        "registry": {"Permit": _registry_permit},
        "offices": {
            "Query.office": lambda _, __: OFFICES[0],
            "Query.offices": lambda _, __: OFFICES,
            "Office": lambda rep: next((o for o in OFFICES if o["id"] == rep["id"]), None),
            "Office.permits": lambda office, _: [_without_holder(p) for p in office["permits"]],
            "Permit": _offices_permit,
            "Permit.holderLabel": _label,
        },
    }
