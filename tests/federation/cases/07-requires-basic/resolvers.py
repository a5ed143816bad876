from tests.federation.subgraph import Resolvers, lookup

PRODUCTS = [
    {"upc": "1", "name": "Table", "price": 899, "weight": 100},
    {"upc": "2", "name": "Couch", "price": 1299, "weight": 1000},
    {"upc": "3", "name": "Chair", "price": 54, "weight": 50},
]


def build() -> dict[str, Resolvers]:
    return {
        "products": {"Query.products": lambda _, __: PRODUCTS, "Product": lookup(PRODUCTS, "upc")},
        "shipping": {
            "Product": lambda rep: {"carrier": "post" if rep["upc"] != "2" else "freight"},
            "Product.shippingEstimate": lambda p, _: 0 if p["price"] > 1000 else p["weight"] // 2,
        },
    }
