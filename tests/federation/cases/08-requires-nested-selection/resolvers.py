from typing import Any

from tests.federation.subgraph import Resolvers, lookup

PARCELS = [
    {
        "id": "a",
        "dimensions": {"width": 2, "height": 3, "unit": "cm"},
        "owner": {"name": "Ada", "address": {"country": "NZ", "zone": 4}},
    },
    {
        "id": "b",
        "dimensions": {"width": 10, "height": 1, "unit": "cm"},
        "owner": {"name": "Bo", "address": None},
    },
    {"id": "c", "dimensions": {"width": 1, "height": 1, "unit": "in"}, "owner": None},
]


def postage(parcel: dict[str, Any], _: Any) -> int:
    owner = parcel.get("owner") or {}
    address = owner.get("address") or {}
    zone = address.get("zone") or 1
    base = parcel["dimensions"]["width"] * parcel["dimensions"]["height"]
    return int(base * zone + (7 if address.get("country") == "NZ" else 0))


def build() -> dict[str, Resolvers]:
    return {
        "parcels": {"Query.parcels": lambda _, __: PARCELS, "Parcel": lookup(PARCELS, "id")},
        "postage": {"Parcel.postage": postage},
    }
