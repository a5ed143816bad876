from tests.federation.subgraph import Resolvers, lookup

ORDERS = [
    {
        "id": "o1",
        "lines": [
            {"quantity": 1, "product": {"upc": "a"}},
            {"quantity": 2, "product": {"upc": "b"}},
        ],
    },
    {"id": "o2", "lines": [{"quantity": 5, "product": {"upc": "a"}}]},
    {
        "id": "o3",
        "lines": [
            {"quantity": 1, "product": {"upc": "c"}},
            {"quantity": 1, "product": {"upc": "b"}},
        ],
    },
]
PRODUCTS = [
    {"upc": "a", "name": "Apple", "maker": {"id": "m1"}},
    {"upc": "b", "name": "Bread", "maker": {"id": "m2"}},
    {"upc": "c", "name": "Cider", "maker": {"id": "m1"}},
]
MAKERS = [{"id": "m1", "country": "FR"}, {"id": "m2", "country": "DE"}]


def build() -> dict[str, Resolvers]:
    return {
        "orders": {"Query.orders": lambda _, __: ORDERS, "Order": lookup(ORDERS, "id")},
        "products": {"Product": lookup(PRODUCTS, "upc")},
        "makers": {"Maker": lookup(MAKERS, "id")},
    }
