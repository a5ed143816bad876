from typing import Any

from tests.federation.subgraph import Resolvers, lookup

PRODUCTS = [
    {"id": "1", "name": "Red hat", "price": 10},
    {"id": "2", "name": "Blue hat", "price": 12},
    {"id": "3", "name": "Red scarf", "price": 7},
]


def search(_: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": p["id"], "name": p["name"], "score": 1.0 / int(p["id"])}
        for p in PRODUCTS
        if args["text"].lower() in p["name"].lower()
    ]


def build() -> dict[str, Resolvers]:
    return {
        "products": {"Query.products": lambda _, __: PRODUCTS, "Product": lookup(PRODUCTS, "id")},
        "search": {
            "Query.search": search,
            "Product": lambda rep: next(
                ({"name": p["name"], "score": 0.5} for p in PRODUCTS if p["id"] == rep["id"]), None
            ),
        },
    }
