from tests.federation.subgraph import Resolvers, lookup

USERS = [
    {"id": "1", "firstName": "Ada", "lastName": "Lovelace"},
    {"id": "2", "firstName": "Alan", "lastName": "Turing"},
]


def build() -> dict[str, Resolvers]:
    return {
        "accounts": {"Query.users": lambda _, __: USERS, "User": lookup(USERS, "id")},
        "greetings": {
            "User.greeting": lambda u, _: f"Hello {u['firstName']} {u['lastName']}",
            "User.formal": lambda u, _: f"Dear M. {u['lastName']}",
        },
    }
