"""`@requires` fields with arguments fed by client variables that have defaults (issue 13, 2).

The client declares `$limit: Int = 1` and passes it to `reviews(first: Int!)`, whose
`@requires(fields: "category")` makes it an `_entities` fetch. A nullable variable with
a default may stand in a non-null position (GraphQL spec, "All Variable Usages Are
Allowed"), but only while the default stays declared: the subgraph operation must
declare each variable so that it is valid where the subgraph uses it. When the client
also selects the required field with other arguments and a directive
(`price(currency: $c) @skip(if: $s)` beside `shipping`'s `price(currency: "USD")`),
Apollo Gateway sends both under one response key and loses the data; Hive Gateway is
the oracle there.
"""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

PRODUCTS = [
    {"id": "p1", "category": "garden", "kg": 2.5},
    {"id": "p2", "category": "kitchen", "kg": 0.4},
    {"id": "p3", "category": "garden", "kg": 11.0},
]
REVIEWS = {
    "p1": [{"body": "Sturdy", "stars": 5}, {"body": "Rusty", "stars": 2}],
    "p2": [{"body": "Sharp", "stars": 4}],
    "p3": [],
}


def _reviews(product: dict[str, Any], args: dict[str, Any]) -> list[dict[str, Any]]:
    assert product.get("category"), "category is required"
    return REVIEWS[product["id"]][: args["first"]]


def _summary(product: dict[str, Any], args: dict[str, Any]) -> str:
    return " ".join([product["category"], "product", "for", "sale"][: args["words"]])


def _weight(product: dict[str, Any], args: dict[str, Any]) -> float:
    kg: float = product["kg"]
    return kg * 1000 if args["unit"] == "g" else kg


def _price(product: dict[str, Any], args: dict[str, Any]) -> int:
    cents = {"p1": 1250, "p2": 480, "p3": 9900}[product["id"]]
    return cents if args["currency"] == "USD" else cents * 9 // 10


def _shipping(product: dict[str, Any], _: dict[str, Any]) -> int:
    usd: int = product["price"]
    return 500 if usd < 1000 else 0


def build() -> dict[str, Resolvers]:
    return {
        "products": {
            "Query.products": lambda _, a: PRODUCTS[: a["first"]],
            "Product": lookup(PRODUCTS, "id"),
            "Product.weight": _weight,
            "Product.price": _price,
        },
        "reviews": {
            "Product.reviews": _reviews,
            "Product.summary": _summary,
            "Product.shipping": _shipping,
        },
    }
