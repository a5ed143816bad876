"""Item 2 misses its non-null title and its pricing misses the non-null price."""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

ITEMS = [
    {"id": "1", "title": "Fine", "detail": {"note": "ok", "extra": None}},
    {"id": "2", "title": None, "detail": {"note": None, "extra": "x"}},
    {"id": "3", "title": "Also fine", "detail": None},
]
PRICES = [
    {"id": "1", "price": 10, "discount": None, "history": [9, 10]},
    {"id": "2", "price": 20, "discount": 1, "history": [20, None]},
    {"id": "3", "price": None, "discount": 2, "history": None},
]


def find(_: Any, args: dict[str, Any]) -> Any:
    return lookup(ITEMS, "id")(args)


def build() -> dict[str, Resolvers]:
    return {
        "catalog": {
            "Query.items": lambda _, __: ITEMS,
            "Query.maybeItems": lambda _, __: ITEMS,
            "Query.item": find,
            "Query.safeItem": find,
            "Item": lookup(ITEMS, "id"),
        },
        "pricing": {"Item": lookup(PRICES, "id")},
    }
