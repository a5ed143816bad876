"""Resolvers that raise: the subgraph reports errors at its own paths.

The gateway must move each path to the client's position (``_entities.1.orders``
becomes ``users.1.orders``) and keep the subgraph's message and code.
"""

from typing import Any

from graphql import GraphQLError

from tests.federation.subgraph import Resolvers, lookup

USERS = [{"id": "u1", "name": "Ann"}, {"id": "u2", "name": "Ben"}, {"id": "u3", "name": "Cy"}]


def email(user: dict[str, Any], _: Any) -> str:
    if user["id"] == "u2":
        raise GraphQLError("email is private", extensions={"code": "FORBIDDEN"})
    return f"{user['name'].lower()}@example.org"


def orders(user: dict[str, Any], _: Any) -> list[dict[str, Any]]:
    if user["id"] == "u3":
        raise GraphQLError("orders backend timed out", extensions={"code": "ORDERS_TIMEOUT"})
    return [
        {"id": f"{user['id']}-o1", "status": "paid"},
        {"id": f"{user['id']}-o2", "status": "new"},
    ]


def total(order: dict[str, Any], _: Any) -> int:
    if order["id"] == "u1-o2":
        raise ValueError("total not computed yet")
    return 42


def build() -> dict[str, Resolvers]:
    return {
        "users": {
            "Query.users": lambda _, __: USERS,
            "Query.broken": lambda _, __: (_ for _ in ()).throw(GraphQLError("broken root")),
            "User": lookup(USERS, "id"),
            "User.email": email,
        },
        "orders": {"User.orders": orders, "Order.total": total},
    }
