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


# What the demo withholds from a caller without grants (docs/security.md): Citizen fields
# and their scopes, and the masked licence number.
WITHHELD = {"address": "signed in", "taxReturns": "tax:read", "immunisations": "health:read"}
EVERY_GRANT = frozenset({"tax:read", "health:read", "dmv:licence:read"})


def as_anonymous(expected: dict[str, Any]) -> dict[str, Any]:
    """Apollo's answer (recorded for a caller holding every grant) as an anonymous caller
    must see it: withheld Citizen fields null with an error at their path, the licence
    number masked to its last four characters."""
    errors = list(expected["errors"])

    def walk(value: Any, path: list[Any]) -> Any:
        if isinstance(value, list):
            return [walk(item, [*path, i]) for i, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if key in WITHHELD and "fullName" in value:
                out[key] = None
                errors.append(
                    {
                        "path": [*path, key],
                        "message": "Unauthorized field or type",
                        "code": "UNAUTHORIZED_FIELD_OR_TYPE",
                    }
                )
            elif key == "number" and path and path[-1] == "drivingLicence":
                out[key] = "*" * (len(item) - 4) + item[-4:]
            else:
                out[key] = walk(item, [*path, key])
        return out

    data = walk(expected["data"], [])
    return {"data": data, "errors": sorted(errors, key=lambda e: str(e["path"]))}
