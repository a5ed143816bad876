"""A `@requires` of a field with arguments beside the client's own selection of that
field (with other arguments), inside a fragment.

`Query.featured` is `[Product!]!` in products and `[Promoted!]!` (a union of Product) in
shipping, so the supergraph's type is the union and the client selects Product's fields
in `... on Product`. `shippingEur` requires `price(currency: EUR)`; the client asks for
`price` (USD). The fetch from products must carry both prices under different response
keys and hand shipping the EUR one: the planner once compared the requirement only with
the client's fields outside fragments, sent both under `price`, and computed the
shipping from the USD price.
"""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

PRODUCTS = [
    {"id": "p1", "name": "Lamp", "usd": 4000, "eur": 3700},
    {"id": "p2", "name": "Desk", "usd": 25000, "eur": 23100},
]


def _price(product: dict[str, Any], args: dict[str, Any]) -> int:
    row = next(p for p in PRODUCTS if p["id"] == product["id"])
    value: int = row["usd"] if args["currency"] == "USD" else row["eur"]
    return value


def _shipping(product: dict[str, Any], _: dict[str, Any]) -> str:
    price = product["price"]
    return f"EUR {price // 100} -> {'free' if price >= 10000 else 'paid'}"


def build() -> dict[str, Resolvers]:
    return {
        "products": {
            "Query.featured": lambda _, __: PRODUCTS,
            "Product": lookup(PRODUCTS, "id"),
            "Product.price": _price,
        },
        "shipping": {
            "Query.featured": lambda _, __: [
                {"__typename": "Product", "id": p["id"]} for p in PRODUCTS
            ],
            "Product.shippingEur": _shipping,
        },
    }
