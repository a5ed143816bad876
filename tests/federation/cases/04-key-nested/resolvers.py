from typing import Any

from tests.federation.subgraph import Resolvers

PEOPLE = [
    {"id": "1", "agency": {"code": "DMV", "label": "Motor Vehicles"}, "name": "Ada"},
    {"id": "1", "agency": {"code": "IRS", "label": "Revenue"}, "name": "Ada R."},
    {"id": "2", "agency": {"code": "DMV", "label": None}, "name": "Bo"},
]
BENEFITS = {("1", "DMV"): ["parking"], ("1", "IRS"): ["refund", "credit"], ("2", "DMV"): []}


def build() -> dict[str, Resolvers]:
    def person_benefits(rep: dict[str, Any]) -> Any:
        return {"benefits": BENEFITS[(rep["id"], rep["agency"]["code"])]}

    return {
        "people": {"Query.people": lambda _, __: PEOPLE},
        "benefits": {"Person": person_benefits},
    }
