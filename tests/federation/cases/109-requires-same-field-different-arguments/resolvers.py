"""Two `@requires` of one field with different arguments (issue 13, behaviour 3).

`shippingUsd` requires `price(currency: USD)` and `shippingEur` requires
`price(currency: EUR)`. A representation holds one `price`, so one `_entities` call
cannot carry both: each requirement needs its own representations (and the two
prices their own response keys in the fetch that reads them). Apollo Gateway sends
one representation with one price and so answers one of the two from the wrong
currency; Hive Gateway, the second oracle, answers each from its own price.
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


def _shipping(symbol: str) -> Any:
    def resolve(product: dict[str, Any], _: dict[str, Any]) -> str:
        price = product["price"]
        return f"{symbol}{price // 100} -> {'free' if price >= 10000 else 'paid'}"

    return resolve


def build() -> dict[str, Resolvers]:
    return {
        "products": {
            "Query.products": lambda _, __: PRODUCTS,
            "Product": lookup(PRODUCTS, "id"),
            "Product.price": _price,
        },
        "shipping": {
            "Product.shippingUsd": _shipping("$"),
            "Product.shippingEur": _shipping("EUR "),
        },
    }
