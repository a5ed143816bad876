"""A required field that errors or is null: the dependent field still runs, with null input."""

from typing import Any

from graphql import GraphQLError

from tests.federation.subgraph import Resolvers, lookup

ASSETS = [
    {"id": "a1", "purchasePrice": 1000, "age": 2},
    {"id": "a2", "purchasePrice": None, "age": 1},
    {"id": "a3", "purchasePrice": 500, "age": 9},
]


def price(asset: dict[str, Any], _: Any) -> Any:
    if asset["id"] == "a3":
        raise GraphQLError("price archive offline", extensions={"code": "ARCHIVE_OFFLINE"})
    return asset["purchasePrice"]


def book_value(asset: dict[str, Any], _: Any) -> Any:
    if asset.get("purchasePrice") is None:
        return None
    return int(asset["purchasePrice"] * (0.8 ** asset["age"]))


def build() -> dict[str, Resolvers]:
    return {
        "assets": {
            "Query.assets": lambda _, __: ASSETS,
            "Asset": lookup(ASSETS, "id"),
            "Asset.purchasePrice": price,
        },
        "depreciation": {"Asset.bookValue": book_value},
    }
