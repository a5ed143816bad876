"""The classic Apollo federation demo, written in federation 1 style."""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

USERS = [
    {"id": "1", "name": "Ada Lovelace", "username": "@ada"},
    {"id": "2", "name": "Alan Turing", "username": "@complete"},
]
PRODUCTS = [
    {"upc": "1", "name": "Table", "price": 899, "weight": 100},
    {"upc": "2", "name": "Couch", "price": 1299, "weight": 1000},
    {"upc": "3", "name": "Chair", "price": 54, "weight": 50},
]
INVENTORY = [
    {"upc": "1", "inStock": True},
    {"upc": "2", "inStock": False},
    {"upc": "3", "inStock": True},
]
REVIEWS = [
    {"id": "1", "authorID": "1", "product": {"upc": "1"}, "body": "Love it!"},
    {"id": "2", "authorID": "1", "product": {"upc": "2"}, "body": "Too expensive."},
    {"id": "3", "authorID": "2", "product": {"upc": "3"}, "body": "Could be better."},
    {"id": "4", "authorID": "2", "product": {"upc": "1"}, "body": "Prefer something else."},
]


def author(review: dict[str, Any], _: Any) -> dict[str, Any]:
    user = next(u for u in USERS if u["id"] == review["authorID"])
    return {"id": user["id"], "username": user["username"]}


def build() -> dict[str, Resolvers]:
    return {
        "accounts": {"Query.me": lambda _, __: USERS[0], "User": lookup(USERS, "id")},
        "inventory": {
            "Product": lookup(INVENTORY, "upc"),
            "Product.shippingEstimate": lambda p, _: 0 if p["price"] > 1000 else p["weight"] // 2,
        },
        "products": {
            "Query.topProducts": lambda _, a: PRODUCTS[: a["first"]],
            "Product": lookup(PRODUCTS, "upc"),
        },
        "reviews": {
            "Review.author": author,
            "User.reviews": lambda u, _: [r for r in REVIEWS if r["authorID"] == u["id"]],
            "Product.reviews": lambda p, _: [r for r in REVIEWS if r["product"]["upc"] == p["upc"]],
            "Review": lookup(REVIEWS, "id"),
        },
    }
