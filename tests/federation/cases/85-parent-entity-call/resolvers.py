"""A field of a value-type child that only one subgraph has, reached through the parent entity.

In stats, `Depot` has no key: `Depot.stats` cannot be fetched by depot id.
The only way in is the parent: call `Vehicle` (key `id vin`) in stats and select
`depot { stats }` below it, while the depot's `id`/`name` come from fleet.
Selecting `stats` next to `id` splits `depot`: `id` from fleet, `stats` through
the parent call to stats (operation child-key-and-parent-only-field).
"""

from typing import Any

from tests.federation.subgraph import Resolvers

DEPOTS = {"d1": {"id": "d1", "name": "North Yard"}, "d2": {"id": "d2", "name": "Quay Street"}}
VEHICLES = [
    {"id": "v1", "vin": "WVW111", "depot": "d1"},
    {"id": "v2", "vin": "WVW222", "depot": "d2"},
    {"id": "v3", "vin": "WVW333", "depot": "d1"},
]


def _vehicle(rep: dict[str, Any]) -> dict[str, Any] | None:
    return next(
        (
            dict(v)
            for v in VEHICLES
            if v["id"] == rep["id"] and rep.get("vin", v["vin"]) == v["vin"]
        ),
        None,
    )


def _depot_count(vehicle: dict[str, Any], _args: Any) -> dict[str, Any]:
    return {"stats": {"vehicles": sum(1 for v in VEHICLES if v["depot"] == vehicle["depot"])}}


def build() -> dict[str, Resolvers]:
    depot = lambda v, _: DEPOTS[v["depot"]]  # noqa: E731
    return {
        "fleet": {
            "Query.vehicles": lambda _, __: [dict(v) for v in VEHICLES],
            "Vehicle": _vehicle,
            "Vehicle.depot": depot,
            "Depot": lambda rep: DEPOTS.get(rep["id"]),
        },
        "depots": {
            "Vehicle": _vehicle,
            "Vehicle.depot": depot,
            "Depot": lambda rep: DEPOTS.get(rep["id"]),
        },
        "stats": {"Vehicle": _vehicle, "Vehicle.depot": _depot_count},
    }
