"""60 events over 5 offices in 2 regions: one entity request per subgraph, deduplicated."""

from typing import Any

from tests.federation.subgraph import Resolvers

CITIES = ["Lyon", "Nice", "Lille", "Brest", "Metz"]


def events(_: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"seq": i, "office": {"code": f"O{i % 5}"}} for i in range(args["count"])]


def office(rep: dict[str, Any]) -> dict[str, Any]:
    n = int(rep["code"][1:])
    return {"city": CITIES[n], "region": {"id": "north" if n % 2 else "south"}}


def build() -> dict[str, Resolvers]:
    return {
        "events": {"Query.events": events},
        "offices": {"Office": office},
        "regions": {"Region": lambda rep: {"name": rep["id"].upper()}},
    }
