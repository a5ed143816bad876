from typing import Any

from tests.federation.subgraph import Resolvers, lookup

PARCELS = [{"id": "p1", "weight": 3, "size": "S"}, {"id": "p2", "weight": 12, "size": "L"}]
SHIPMENTS = [
    {"id": "s1", "parcel": {"id": "p1", "weight": 3}},
    {"id": "s2", "parcel": {"id": "p2", "weight": 12}},
]


def rate(p: dict[str, Any], _: Any) -> int:
    return int(p["weight"] * (5 if p["size"] == "L" else 2))


def build() -> dict[str, Resolvers]:
    return {
        "shipments": {"Query.shipments": lambda _, __: SHIPMENTS},
        "parcels": {"Parcel": lookup(PARCELS, "id")},
        "rates": {"Parcel.rate": rate, "Parcel.cheapRate": lambda p, _: p["weight"]},
    }
