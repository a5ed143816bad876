"""Key translation through a middle subgraph that does not know every entity.

deliveries knows items by `barcode`; suppliers only by `sku`; only catalog maps
one to the other. catalog answers null for an item it does not list, so that
item has no `sku`: the gateway must leave it out of the suppliers call (no
representation without its key) and give it a null `supplier`, while the other
items still resolve.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

ITEMS = [
    {"sku": "S-10", "barcode": "5012345", "supplier": {"id": "v1", "name": "Harbour Print Ltd"}},
    {"sku": "S-11", "barcode": "5012346", "supplier": {"id": "v2", "name": "Glenview Paper"}},
    {"sku": "S-12", "barcode": "5012347", "supplier": {"id": "v3", "name": "Old Mill Supplies"}},
]
CATALOG_KNOWS = {"5012345", "5012346"}
PARCELS = [("TR-1", "5012345"), ("TR-2", "5012347"), ("TR-3", "5012346"), ("TR-4", None)]


def _catalog_item(rep: dict[str, Any]) -> dict[str, Any] | None:
    if "barcode" in rep:
        row = next((i for i in ITEMS if i["barcode"] == rep["barcode"]), None)
        if row is None or row["barcode"] not in CATALOG_KNOWS:
            return None
    else:
        row = next((i for i in ITEMS if i["sku"] == rep["sku"]), None)
    return None if row is None else {"sku": row["sku"], "barcode": row["barcode"]}


def _suppliers_item(rep: dict[str, Any]) -> dict[str, Any] | Exception:
    if rep.get("sku") is None:
        return ValueError("representation without sku")
    row = next((i for i in ITEMS if i["sku"] == rep["sku"]), None)
    return (
        ValueError("unknown sku")
        if row is None
        else {"sku": row["sku"], "supplier": row["supplier"]}
    )


def build() -> dict[str, Resolvers]:
    return {
        "deliveries": {
            "Query.parcels": lambda _, __: [
                {"tracking": t, "item": None if b is None else {"barcode": b}} for t, b in PARCELS
            ],
        },
        "catalog": {"Item": _catalog_item},
        "suppliers": {"Item": _suppliers_item},
    }
