"""The classic four-subgraph shop used by gateway tests (accounts, products, inventory, reviews)."""

from __future__ import annotations

from typing import Any

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)

ACCOUNTS = (
    LINK
    + """
type Query { me: User users: [User!]! user(id: ID!): User }
type User @key(fields: "id") { id: ID! name: String username: String @shareable birthDate: String }
"""
)

PRODUCTS = (
    LINK
    + """
type Query { topProducts(first: Int = 5): [Product] product(upc: String!): Product }
type Mutation { renameProduct(upc: String!, name: String!): Product }
type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }
"""
)

INVENTORY = (
    LINK
    + """
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
"""
)

REVIEWS = (
    LINK
    + """
type Query { reviews: [Review] }
type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "username")
  product: Product
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}
type Product @key(fields: "upc") { upc: String! reviews: [Review] }
"""
)

USERS = [
    {"id": "1", "name": "Ada Lovelace", "birthDate": "1815-12-10", "username": "@ada"},
    {"id": "2", "name": "Alan Turing", "birthDate": "1912-06-23", "username": "@complete"},
]
PRODUCTS_DATA = [
    {"upc": "1", "name": "Table", "price": 899, "weight": 100},
    {"upc": "2", "name": "Couch", "price": 1299, "weight": 1000},
    {"upc": "3", "name": "Chair", "price": 54, "weight": 50},
]
INVENTORY_DATA = {"1": True, "2": False, "3": True}
REVIEWS_DATA = [
    {"id": "1", "authorID": "1", "product": {"upc": "1"}, "body": "Love it!"},
    {"id": "2", "authorID": "1", "product": {"upc": "2"}, "body": "Too expensive."},
    {"id": "3", "authorID": "2", "product": {"upc": "3"}, "body": "Could be better."},
    {"id": "4", "authorID": "2", "product": {"upc": "1"}, "body": "Prefer something else."},
]


def _user(user_id: str) -> dict[str, Any] | None:
    return next((dict(u) for u in USERS if u["id"] == user_id), None)


def _product(upc: str) -> dict[str, Any] | None:
    return next((dict(p) for p in PRODUCTS_DATA if p["upc"] == upc), None)


def _review(review: dict[str, Any]) -> dict[str, Any]:
    author = _user(review["authorID"])
    return {
        "id": review["id"],
        "body": review["body"],
        "author": {
            "__typename": "User",
            "id": review["authorID"],
            "username": author and author["username"],
        },
        "product": {"__typename": "Product", **review["product"]},
    }


RESOLVERS: dict[str, dict[str, dict[str, Any]]] = {
    "accounts": {
        "Query": {
            "me": lambda *_: _user("1"),
            "users": lambda *_: [dict(u) for u in USERS],
            "user": lambda _r, _i, id: _user(id),
        },
        "User": {"__resolve_reference": lambda rep: _user(rep["id"])},
    },
    "products": {
        "Query": {
            "topProducts": lambda _r, _i, first=5: [dict(p) for p in PRODUCTS_DATA[:first]],
            "product": lambda _r, _i, upc: _product(upc),
        },
        "Mutation": {
            "renameProduct": lambda _r, _i, upc, name: {**(_product(upc) or {}), "name": name},
        },
        "Product": {"__resolve_reference": lambda rep: _product(rep["upc"])},
    },
    "inventory": {
        "Product": {
            "__resolve_reference": lambda rep: {
                **rep,
                "inStock": INVENTORY_DATA.get(rep["upc"]),
                "shippingEstimate": 0 if rep.get("price", 0) > 1000 else rep.get("weight", 0) // 2,
            }
        }
    },
    "reviews": {
        "Query": {"reviews": lambda *_: [_review(r) for r in REVIEWS_DATA]},
        "Review": {
            "__resolve_reference": lambda rep: next(
                (_review(r) for r in REVIEWS_DATA if r["id"] == rep["id"]), None
            )
        },
        "User": {
            "__resolve_reference": lambda rep: {"id": rep["id"]},
            "reviews": lambda user, _i: [
                _review(r) for r in REVIEWS_DATA if r["authorID"] == user["id"]
            ],
        },
        "Product": {
            "__resolve_reference": lambda rep: {"upc": rep["upc"]},
            "reviews": lambda product, _i: [
                _review(r) for r in REVIEWS_DATA if r["product"]["upc"] == product["upc"]
            ],
        },
    },
}

SDLS = {"accounts": ACCOUNTS, "products": PRODUCTS, "inventory": INVENTORY, "reviews": REVIEWS}
