"""The demo's example queries, shared by the golden recorder and the gateway test."""

from __future__ import annotations

from typing import Any

from aggregator.demo.app import EXAMPLE_QUERY

MANY = """query Many { citizens(first: 25) { id fullName
  vehicles { plate make } drivingLicence { class }
  taxReturns(last: 2) { edges { node { financialYear } } pageInfo { hasPreviousPage } }
  immunisations { vaccineCode } } }"""

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "citizen_overview": (EXAMPLE_QUERY, {"id": "C0001"}),
    "many_citizens": (MANY, {}),
    "vehicle_entity": (
        '{ vehicle(plate: "NOPE-000") { plate } c: citizen(id: "C0002") { fullName } }',
        {},
    ),
}


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """What two gateways must agree on: data, and each error's path, message and code."""
    errors = sorted(
        (
            {
                "path": e.get("path"),
                "message": e.get("message"),
                "code": (e.get("extensions") or {}).get("code"),
            }
            for e in body.get("errors") or ()
        ),
        key=lambda e: str(e["path"]),
    )
    return {"data": _mask_cursors(body.get("data")), "errors": errors}


def _mask_cursors(value: Any) -> Any:
    """Cursors are signed with a per-process key: compare their presence, not their bytes."""
    if isinstance(value, dict):
        masked = {"cursor", "startCursor", "endCursor"}
        return {
            k: ("<cursor>" if k in masked and v else _mask_cursors(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_cursors(v) for v in value]
    return value
