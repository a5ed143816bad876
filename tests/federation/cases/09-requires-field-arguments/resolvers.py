from typing import Any

from tests.federation.subgraph import Resolvers, lookup

PRODUCTS = [{"upc": "1", "grams": 2500}, {"upc": "2", "grams": 500}]


def weight(product: dict[str, Any], args: dict[str, Any]) -> float:
    grams = float(product["grams"])
    return grams / 1000 if args["unit"] == "KILOGRAM" else grams


def cost(product: dict[str, Any], args: dict[str, Any]) -> float:
    value = product["weight"] * args["zone"] * 1.5
    return value * 2 if args["express"] else value


def build() -> dict[str, Resolvers]:
    return {
        "products": {
            "Query.products": lambda _, __: PRODUCTS,
            "Product": lookup(PRODUCTS, "upc"),
            "Product.weight": weight,
        },
        "shipping": {"Product.shippingCost": cost},
    }
