"""The inventory subgraph fails to resolve some entity references."""

from typing import Any

from graphql import GraphQLError

from tests.federation.subgraph import Resolvers

PRODUCTS = [
    {"upc": "1", "name": "Table"},
    {"upc": "2", "name": "Couch"},
    {"upc": "3", "name": "Chair"},
    {"upc": "4", "name": "Lamp"},
]


def inventory(rep: dict[str, Any]) -> Any:
    if rep["upc"] == "2":
        return GraphQLError("inventory record locked", extensions={"code": "LOCKED"})
    if rep["upc"] == "4":
        return None
    return {"stock": int(rep["upc"]) * 3, "warehouse": "north"}


def build() -> dict[str, Resolvers]:
    return {
        "products": {"Query.products": lambda _, __: PRODUCTS},
        "inventory": {"Product": inventory},
    }
