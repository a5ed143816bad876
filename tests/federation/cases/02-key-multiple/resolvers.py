from tests.federation.subgraph import Resolvers, lookup

CATALOG = [
    {"id": "p1", "sku": "SKU-1", "name": "Desk"},
    {"id": "p2", "sku": "SKU-2", "name": "Lamp"},
    {"id": "p3", "sku": "SKU-3", "name": "Shelf"},
]
PRICES = [
    {"sku": "SKU-1", "price": 300},
    {"sku": "SKU-2", "price": 45},
    {"sku": "SKU-3", "price": 120},
]
STOCK = [{"id": "p1", "inStock": 4}, {"id": "p2", "inStock": 0}, {"id": "p3", "inStock": 1}]


def build() -> dict[str, Resolvers]:
    return {
        "catalog": {
            "Query.products": lambda _, __: CATALOG,
            "Product": lambda rep: (
                lookup(CATALOG, "id")(rep) if "id" in rep else lookup(CATALOG, "sku")(rep)
            ),
        },
        "pricing": {"Product": lookup(PRICES, "sku")},
        "stock": {
            "Query.lowStock": lambda _, __: [s for s in STOCK if s["inStock"] < 2],
            "Product": lookup(STOCK, "id"),
        },
    }
