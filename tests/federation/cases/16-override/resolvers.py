from tests.federation.subgraph import Resolvers, lookup

PRODUCTS = [{"id": "1", "name": "Pen", "price": -1}, {"id": "2", "name": "Ink", "price": -1}]
PRICES = [{"id": "1", "price": 3}, {"id": "2", "price": 9}]


def build() -> dict[str, Resolvers]:
    # products still resolves a stale price (-1): the answer shows who served the field
    return {
        "products": {"Query.products": lambda _, __: PRODUCTS, "Product": lookup(PRODUCTS, "id")},
        "pricing": {"Product": lookup(PRICES, "id")},
    }
