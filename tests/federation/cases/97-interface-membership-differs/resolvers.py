"""An object type that implements an interface in one subgraph but not in another.

`Boiler implements Node` only in servicing; catalog's `Node` has `Heater` as its
sole implementation, yet its union `Appliance` holds boilers. A client's
`... on Node` under `appliances` must still select `id` for boilers (the
supergraph says Boiler is a Node) without sending catalog a fragment it reads
differently. catalog's `node` returning a boiler is a subgraph error
(not a possible type there) that must surface as an error with a null field.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

ROWS: dict[str, dict[str, Any]] = {
    "b1": {"__typename": "Boiler", "id": "b1", "lastServiced": "2025-10-02"},
    "b2": {"__typename": "Boiler", "id": "b2", "lastServiced": None},
    "h1": {"__typename": "Heater", "id": "h1", "warrantyYears": 3},
    "h2": {"__typename": "Heater", "id": "h2", "warrantyYears": 4},
}


def _catalog_row(rid: str) -> dict[str, Any]:
    row = ROWS[rid]
    return {k: v for k, v in row.items() if k != "lastServiced"}


def build() -> dict[str, Resolvers]:
    heaters = [r for r in ROWS if ROWS[r]["__typename"] == "Heater"]
    return {
        "catalog": {
            "Query.appliances": lambda _, __: [_catalog_row(r) for r in ROWS],
            "Query.node": lambda _, args: _catalog_row(args["id"]) if args["id"] in ROWS else None,
            "Query.nodes": lambda _, __: [_catalog_row(r) for r in heaters],
            "Query.heaters": lambda _, __: [_catalog_row(r) for r in heaters],
            "Boiler": lambda rep: _catalog_row(rep["id"]) if rep["id"] in ROWS else None,
            "Heater": lambda rep: _catalog_row(rep["id"]) if rep["id"] in ROWS else None,
        },
        "servicing": {
            "Boiler": lambda rep: dict(ROWS[rep["id"]]) if rep["id"] in ROWS else None,
            "Heater": lambda rep: {"id": rep["id"]},
        },
    }
