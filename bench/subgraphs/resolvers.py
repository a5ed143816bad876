"""Resolvers of the four benchmark subgraphs, with the reference subgraphs' quirks kept.

Kept on purpose, because the benchmark's expected response depends on them:
- inventory resolves ``Product`` entities from its own records only and ignores
  the ``price``/``weight`` that ``@requires`` puts in the representation, so
  ``shippingEstimate`` is always null;
- reviews answers every ``User`` entity with the first two reviews, and every
  ``Review.author`` is user 1 with the provided ``username`` "urigo".

The scenario decides one thing (see ``bench.scenarios``): whether a product the
reviews subgraph reaches through ``Review.product`` resolves its ``reviews``
(``standard``, as the reference subgraphs do) or carries only its key (``light``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLResolveInfo

from bench.subgraphs.data import IN_STOCK, PRODUCTS, REVIEWS, USERS, Record

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo[Any]
EntityResolver = Callable[[Mapping[str, Any]], Record | None]

_USERS_BY_ID = {user["id"]: user for user in USERS}
_PRODUCTS_BY_UPC = {product["upc"]: product for product in PRODUCTS}
_REVIEWS_BY_ID = {review["id"]: review for review in REVIEWS}
_REVIEWS_BY_UPC: dict[str, list[Record]] = {}
for _review in REVIEWS:
    _REVIEWS_BY_UPC.setdefault(_review["product_upc"], []).append(_review)


def _shipping_estimate(price: int | None, weight: int | None) -> int | None:
    if price is None:
        return None
    if price > 1000:
        return 0
    return None if weight is None else weight // 2


def _inventory_product(representation: Mapping[str, Any]) -> Record | None:
    upc = representation.get("upc")
    if upc not in IN_STOCK:
        return None
    # The benchmark's inventory knows no price or weight of its own.
    return {
        "__typename": "Product",
        "upc": upc,
        "inStock": IN_STOCK[upc],
        "shippingEstimate": _shipping_estimate(None, None),
    }


def _review_author(review: Record, _info: Info) -> Record:
    return {"__typename": "User", "id": "1", "username": "urigo", "reviews": REVIEWS[0:2]}


def _review_product(review: Record, _info: Info) -> Record:
    return {"__typename": "Product", "upc": review["product_upc"]}


def _reviews_user(representation: Mapping[str, Any]) -> Record:
    return {
        "__typename": "User",
        "id": representation.get("id"),
        "username": "user",
        "reviews": REVIEWS[0:2],
    }


def _reviews_of(upc: object) -> list[Record]:
    return _REVIEWS_BY_UPC.get(upc, []) if isinstance(upc, str) else []


def _reviews_product(representation: Mapping[str, Any]) -> Record:
    upc = representation.get("upc")
    return {"__typename": "Product", "upc": upc, "reviews": _reviews_of(upc)}


def _product_reviews(product: Record, _info: Info) -> list[Record]:
    return _reviews_of(product.get("upc"))


def _top_products(_root: object, _info: Info, first: int | None = 5) -> list[Record]:
    return PRODUCTS[: 5 if first is None else max(first, 0)]


def _user(_root: object, _info: Info, id: str) -> Record | None:
    return _USERS_BY_ID.get(id)


# Per subgraph: root Query field resolvers, object field resolvers, entity resolvers by typename.
QUERY_RESOLVERS: dict[str, dict[str, Resolver]] = {
    "accounts": {
        "me": lambda _root, _info: USERS[0],
        "user": _user,
        "users": lambda _root, _info: USERS,
    },
    "inventory": {},
    "products": {"topProducts": _top_products},
    "reviews": {},
}

_FIELD_RESOLVERS: dict[str, dict[tuple[str, str], Resolver]] = {
    "accounts": {},
    "inventory": {},
    "products": {},
    "reviews": {("Review", "author"): _review_author, ("Review", "product"): _review_product},
}


def field_resolvers(name: str, product_reviews_everywhere: bool) -> dict[tuple[str, str], Resolver]:
    """Object field resolvers of subgraph ``name`` in a scenario."""
    resolvers = dict(_FIELD_RESOLVERS[name])
    if name == "reviews" and product_reviews_everywhere:
        resolvers[("Product", "reviews")] = _product_reviews
    return resolvers


ENTITY_RESOLVERS: dict[str, dict[str, EntityResolver]] = {
    "accounts": {"User": lambda rep: _USERS_BY_ID.get(rep.get("id"))},
    "inventory": {"Product": _inventory_product},
    "products": {"Product": lambda rep: _PRODUCTS_BY_UPC.get(rep.get("upc"))},
    "reviews": {
        "Review": lambda rep: _REVIEWS_BY_ID.get(rep.get("id")),
        "User": _reviews_user,
        "Product": _reviews_product,
    },
}
