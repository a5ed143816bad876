"""@requires on a field of interface type, with and without a type condition.

residents needs `address { id }` (any implementation) for `town`, and only an
Office's id for `region`; `address` lives in postal, which also has an
implementation (`PoBox`) residents does not know. The representation carries
the address as plain data, so a PoBox address still yields a town, while
`region` gets an empty `address {}` for non-offices and answers null.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

ADDRESSES = {
    "a1": {"__typename": "Home", "id": "a1", "town": "Ennis", "region": "Mid-West"},
    "a2": {"__typename": "Office", "id": "a2", "town": "Galway", "region": "West"},
    "a3": {"__typename": "PoBox", "id": "a3", "town": "Sligo", "region": "North-West"},
}
RESIDENTS = [
    {"id": "r1", "name": "Aoife Kane", "address": "a1"},
    {"id": "r2", "name": "Ben Obi", "address": "a2"},
    {"id": "r3", "name": "Cara Lund", "address": "a3"},
]


def _town(resident: dict[str, Any], _args: Any) -> str | None:
    address = resident.get("address")
    if not isinstance(address, dict) or "id" not in address:
        raise ValueError("Resident.address was not provided")
    return ADDRESSES[address["id"]]["town"]


def _region(resident: dict[str, Any], _args: Any) -> str | None:
    address = resident.get("address")
    if address is None or "id" not in address:
        return None
    return ADDRESSES[address["id"]]["region"]


def _postal_resident(row: dict[str, Any]) -> dict[str, Any]:
    a = ADDRESSES[row["address"]]
    return {
        "id": row["id"],
        "name": row["name"],
        "address": {"__typename": a["__typename"], "id": a["id"], "town": a["town"]},
    }


def build() -> dict[str, Resolvers]:
    by_id = {r["id"]: r for r in RESIDENTS}
    return {
        "residents": {
            "Query.resident": lambda _, __: {"id": "r1", "name": "Aoife Kane"},
            "Query.residents": lambda _, __: [
                {"id": r["id"], "name": r["name"]} for r in RESIDENTS
            ],
            "Resident": lambda rep: (
                {**rep, "name": by_id[rep["id"]]["name"]} if rep["id"] in by_id else None
            ),
            "Resident.town": _town,
            "Resident.region": _region,
        },
        "postal": {
            "Query.postalResident": lambda _, __: _postal_resident(RESIDENTS[1]),
            "Resident": lambda rep: (
                _postal_resident(by_id[rep["id"]]) if rep["id"] in by_id else None
            ),
            "Home": lambda rep: dict(ADDRESSES[rep["id"]]),
            "Office": lambda rep: dict(ADDRESSES[rep["id"]]),
            "PoBox": lambda rep: dict(ADDRESSES[rep["id"]]),
        },
    }
