"""Resolvers shared by cases 25-32, which run different operations over one shop graph."""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

PRODUCTS = [
    {"upc": "1", "name": "Table", "price": 899, "inStock": True},
    {"upc": "2", "name": "Couch", "price": 1299, "inStock": False},
    {"upc": "3", "name": "Chair", "price": 54, "inStock": True},
]
USERS = [
    {"id": "u1", "name": "Ada Lovelace", "username": "@ada"},
    {"id": "u2", "name": "Alan Turing", "username": "@complete"},
]
REVIEWS = [
    {"id": "r1", "body": "Love it!", "rating": 5, "product": {"upc": "1"}, "author": {"id": "u1"}},
    {
        "id": "r2",
        "body": "Too expensive.",
        "rating": 2,
        "product": {"upc": "2"},
        "author": {"id": "u1"},
    },
    {
        "id": "r3",
        "body": "Could be better.",
        "rating": 3,
        "product": {"upc": "3"},
        "author": {"id": "u2"},
    },
    {
        "id": "r4",
        "body": "Prefer something else.",
        "rating": 1,
        "product": {"upc": "1"},
        "author": {"id": "u2"},
    },
]


def product_reviews(product: dict[str, Any], args: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in REVIEWS
        if r["product"]["upc"] == product["upc"] and r["rating"] >= args["minRating"]
    ]


def build() -> dict[str, Resolvers]:
    return {
        "products": {
            "Query.products": lambda _, a: PRODUCTS[: a["first"]],
            "Query.product": lambda _, a: lookup(PRODUCTS, "upc")(a),
            "Product": lookup(PRODUCTS, "upc"),
        },
        "reviews": {
            "Product.reviews": product_reviews,
            "User.reviews": lambda u, _: [r for r in REVIEWS if r["author"]["id"] == u["id"]],
            "Review": lookup(REVIEWS, "id"),
        },
        "users": {
            "Query.me": lambda _, __: USERS[0],
            "Query.users": lambda _, __: USERS,
            "User": lookup(USERS, "id"),
        },
    }
