from tests.federation.subgraph import Resolvers, lookup

USERS = [
    {"id": "u1", "username": "ada", "email": "ada@example.org"},
    {"id": "u2", "username": "grace", "email": "grace@example.org"},
]
REVIEWS = [
    {"id": "r1", "body": "Quick", "author": {"id": "u1", "username": "ada"}},
    {"id": "r2", "body": "Polite", "author": {"id": "u2", "username": "grace"}},
]


def build() -> dict[str, Resolvers]:
    return {
        "reviews": {"Query.reviews": lambda _, __: REVIEWS},
        "users": {"Query.me": lambda _, __: USERS[0], "User": lookup(USERS, "id")},
    }
