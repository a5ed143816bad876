from tests.federation.subgraph import Resolvers, lookup

USERS = [{"id": "u1", "name": "Ada"}, {"id": "u2", "name": "Grace"}]
REVIEWS = [
    {"id": "r1", "body": "Fast service", "author": {"id": "u1"}},
    {"id": "r2", "body": "Slow queue", "author": {"id": "u2"}},
    {"id": "r3", "body": "Fine", "author": {"id": "u1"}},
]


def build() -> dict[str, Resolvers]:
    return {
        "reviews": {"Query.reviews": lambda _, __: REVIEWS},
        "users": {"User": lookup(USERS, "id")},
    }
