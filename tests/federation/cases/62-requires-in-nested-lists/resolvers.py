from typing import Any

from tests.federation.subgraph import Resolvers

PLOTS = {
    "p1": {"id": "p1", "area": 100, "zone": "A"},
    "p2": {"id": "p2", "area": None, "zone": "B"},
    "p3": {"id": "p3", "area": 40, "zone": "B"},
}


def levy(plot: dict[str, Any], _: Any) -> Any:
    if plot.get("area") is None:
        return None
    return plot["area"] * (3 if plot["zone"] == "A" else 1)


def build() -> dict[str, Resolvers]:
    return {
        "grid": {
            "Query.blocks": lambda _, __: [
                [PLOTS["p1"], None, PLOTS["p2"]],
                None,
                [],
                [PLOTS["p3"], PLOTS["p1"]],
            ]
        },
        "tax": {"Plot.levy": levy},
    }
