"""Entity keys that hold lists and nested entities, collected from several subgraphs.

`Bundle` in fees is keyed by every service's `id sid agency { id code }` plus
`picked { id }`: to call it the gateway must first gather `sid` from codes and
bundles, `agency { id code }` from catalog, and `picked` from bundles, then send
one representation holding nested lists. Each reference resolver checks every key
part it is given, so a wrong or partial representation returns null.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

AGENCIES = {
    "g1": {"id": "g1", "code": "tax", "lead": "s1"},
    "g2": {"id": "g2", "code": "health", "lead": "s3"},
}
SERVICES = {
    "s1": {"id": "s1", "sid": "A-1", "agency": "g1", "fee": 100.0},
    "s2": {"id": "s2", "sid": "B-2", "agency": "g2", "fee": 250.0},
    "s3": {"id": "s3", "sid": "C-3", "agency": "g2", "fee": 40.0},
}
FEATURED = ["s1", "s2"]


def _agency_row(aid: str) -> dict[str, Any]:
    a = AGENCIES[aid]
    return {"id": a["id"], "code": a["code"], "leadService": {"id": a["lead"]}}


def _catalog_service(sid: str) -> dict[str, Any]:
    return {"id": sid, "agency": _agency_row(SERVICES[sid]["agency"])}


def _fees_service(sid: str) -> dict[str, Any]:
    s = SERVICES[sid]
    a = AGENCIES[s["agency"]]
    return {
        "id": s["id"],
        "sid": s["sid"],
        "agency": {"id": a["id"], "code": a["code"]},
        "fee": {"amount": s["fee"]},
    }


def _fees_matches(rep: dict[str, Any]) -> str | None:
    s = SERVICES.get(rep["id"])
    if s is None or s["sid"] != rep["sid"]:
        return None
    a = AGENCIES[s["agency"]]
    if rep["agency"] != {"id": a["id"], "code": a["code"]}:
        return None
    return str(s["id"])


def _fees_bundle(rep: dict[str, Any]) -> dict[str, Any] | None:
    ids = [_fees_matches(r) for r in rep["services"]]
    if None in ids or rep["picked"]["id"] not in SERVICES:
        return None
    return {
        "services": [_fees_service(i) for i in ids if i],
        "first": _fees_service(ids[0]) if ids and ids[0] else None,
        "picked": _fees_service(rep["picked"]["id"]),
    }


def _bundles_service(sid: str) -> dict[str, Any]:
    return {"id": sid, "sid": SERVICES[sid]["sid"]}


def _bundles_bundle(rep: dict[str, Any]) -> dict[str, Any] | None:
    ids = [
        r["id"]
        for r in rep["services"]
        if r["id"] in SERVICES and SERVICES[r["id"]]["sid"] == r["sid"]
    ]
    if len(ids) != len(rep["services"]):
        return None
    return {
        "services": [_bundles_service(i) for i in ids],
        "first": _bundles_service(ids[0]) if ids else None,
        "picked": _bundles_service(ids[-1]) if ids else None,
    }


def _codes_service(rep: dict[str, Any]) -> dict[str, Any] | None:
    s = SERVICES.get(rep["id"])
    if s is None or ("sid" in rep and rep["sid"] != s["sid"]):
        return None
    return {"id": s["id"], "sid": s["sid"]}


def build() -> dict[str, Resolvers]:
    return {
        "catalog": {
            "Query.featured": lambda _, __: {"services": [_catalog_service(i) for i in FEATURED]},
            "Bundle": lambda rep: {
                "services": [_catalog_service(r["id"]) for r in rep["services"]]
            },
            "Service": lambda rep: _catalog_service(rep["id"]) if rep["id"] in SERVICES else None,
            "Agency": lambda rep: _agency_row(rep["id"]) if rep["id"] in AGENCIES else None,
            "Agency.leadService": lambda a, _: _catalog_service(a["leadService"]["id"]),
        },
        "codes": {"Service": _codes_service},
        "bundles": {
            "Bundle": _bundles_bundle,
            "Service": _codes_service,
        },
        "fees": {
            "Bundle": _fees_bundle,
            "Service": lambda rep: _fees_service(rep["id"]) if _fees_matches(rep) else None,
            "Agency": lambda rep: (
                {"id": rep["id"], "code": rep["code"]}
                if AGENCIES.get(rep["id"], {}).get("code") == rep["code"]
                else None
            ),
        },
    }
