from typing import Any

from tests.federation.subgraph import Resolvers

PRODUCTS = [
    {"upc": "1", "name": "Table", "price": 899},
    {"upc": "2", "name": "Couch", "price": 1299},
    {"upc": "3", "name": "Chair", "price": 54},
]
REVIEWS = {
    "1": [{"id": "r1", "body": "Love it", "stars": 5}, {"id": "r2", "body": "Wobbly", "stars": 2}],
    "2": [{"id": "r3", "body": "Too soft", "stars": 3}],
}


def build() -> dict[str, Resolvers]:
    by_upc: dict[str, Any] = {p["upc"]: p for p in PRODUCTS}
    return {
        "products": {
            "Query.topProducts": lambda _, a: PRODUCTS[: a["first"]],
            "Query.product": lambda _, a: by_upc.get(a["upc"]),
            "Product": lambda rep: by_upc.get(rep["upc"]),
        },
        "reviews": {
            "Product.reviews": lambda p, _: REVIEWS.get(p["upc"], []),
        },
    }
