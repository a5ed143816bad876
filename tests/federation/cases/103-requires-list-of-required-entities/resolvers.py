"""@requires of a list of entities that is itself a @requires field.

billing needs `orders { id }`; orders computes `orders` only from `surname`
(profiles). Two billing fields share the same requirement, so one billing call
should serve both. Each computed field fails loudly when its input is missing.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

HOUSEHOLD = {"id": "h1", "surname": "Quinlan", "postcode": "D08"}
DUE = {"Quinlan-1": 120, "Quinlan-2": 45}


def _orders(hh: dict[str, Any], _args: Any) -> list[dict[str, str]]:
    if not hh.get("surname"):
        raise ValueError("surname was not provided")
    return [{"id": f"{hh['surname']}-1"}, {"id": f"{hh['surname']}-2"}]


def _need_orders(hh: dict[str, Any]) -> list[str]:
    if not isinstance(hh.get("orders"), list):
        raise ValueError("orders were not provided")
    return [o["id"] for o in hh["orders"]]


def build() -> dict[str, Resolvers]:
    return {
        "profiles": {
            "Query.household": lambda _, __: dict(HOUSEHOLD),
            "Household": lambda rep: dict(HOUSEHOLD) if rep["id"] == HOUSEHOLD["id"] else None,
        },
        "orders": {"Household": dict, "Household.orders": _orders},
        "billing": {
            "Household": dict,
            "Household.totalDue": lambda hh, _: sum(DUE.get(o, 0) for o in _need_orders(hh)),
            "Household.openCount": lambda hh, _: len(_need_orders(hh)),
        },
    }
