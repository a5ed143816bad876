from tests.federation.subgraph import Resolvers, lookup

SELLERS = [
    {
        "id": "s1",
        "name": "North Co",
        "rating": 4,
        "address": {"id": "a1", "city": "Oslo", "street": "Main 1"},
    },
    {
        "id": "s2",
        "name": "South Co",
        "rating": 2,
        "address": {"id": "a2", "city": "Rome", "street": "Via 2"},
    },
]
ADDRESSES = [
    {"id": "a1", "city": "Oslo", "street": "Main 1"},
    {"id": "a2", "city": "Rome", "street": "Via 2"},
]
LISTINGS = [
    {"title": "Boat", "seller": SELLERS[0]},
    {"title": "Bike", "seller": SELLERS[1]},
    {"title": "Kite", "seller": SELLERS[0]},
]


def build() -> dict[str, Resolvers]:
    return {
        "catalog": {"Query.featured": lambda _, __: LISTINGS},
        "sellers": {"Seller": lookup(SELLERS, "id"), "Address": lookup(ADDRESSES, "id")},
    }
