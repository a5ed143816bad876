"""Federation 1 subgraphs: `extend type` / `@extends` with @external key fields.

valuations extends `Parcel` with two keys whose fields are all @external,
one of them (`uprn`) owned by no other subgraph: entering valuations by
`id county` is enough to read every field it has, `uprn` included. wardens
extends `Warden` and may only answer its @external `name` under @provides.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

PARCELS = [
    {"id": "p1", "county": "Kerry", "folio": "KY-1123", "uprn": "UPRN-90001", "rate": 412.5},
    {"id": "p2", "county": "Clare", "folio": "CE-0042", "uprn": "UPRN-90002", "rate": 198.0},
]
WARDENS = [
    {"id": "w1", "name": "Dara Moran", "radio": "ch-4", "beat": "B7"},
    {"id": "w2", "name": "Lia Chen", "radio": None, "beat": "B2"},
]


def _valuation(rep: dict[str, Any]) -> dict[str, Any] | None:
    for p in PARCELS:
        if ("uprn" in rep and rep["uprn"] == p["uprn"]) or (
            rep.get("id") == p["id"] and rep.get("county") == p["county"]
        ):
            return {k: p[k] for k in ("id", "county", "uprn", "rate")}
    return None


def build() -> dict[str, Resolvers]:
    return {
        "holdings": {
            "Query.parcelInHoldings": lambda _, __: {
                k: PARCELS[0][k] for k in ("id", "county", "folio")
            },
            "Parcel": lambda rep: next(
                (
                    {k: p[k] for k in ("id", "county", "folio")}
                    for p in PARCELS
                    if p["id"] == rep["id"] and p["county"] == rep["county"]
                ),
                None,
            ),
        },
        "valuations": {
            "Query.parcelInValuations": lambda _, __: _valuation(PARCELS[1]),
            "Parcel": _valuation,
        },
        "wardens": {
            "Query.dutyWarden": lambda _, __: {"id": "w1", "beat": "B7"},
            "Query.dutyWardenNamed": lambda _, __: {"id": "w2", "beat": "B2", "name": "Lia Chen"},
            "Warden": lambda rep: next(
                ({"id": w["id"], "beat": w["beat"]} for w in WARDENS if w["id"] == rep["id"]), None
            ),
            "Warden.name": lambda w, _: w.get("name", "not provided here"),
        },
        "staff": {
            "Query.wardenById": lambda _, args: next(
                (w for w in WARDENS if w["id"] == args.get("id")), None
            ),
            "Warden": lambda rep: next((w for w in WARDENS if w["id"] == rep["id"]), None),
        },
    }
