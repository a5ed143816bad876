"""An enum value hidden by @inaccessible that a subgraph still returns.

`SYSTEM` exists in accounts but not in the API schema: clients can neither send
it (validation error) nor receive it. When accounts returns it in an output
field, that field becomes null (in a non-null list position, the null bubbles to
the list) while other rows keep their data; like Apollo Gateway and Hive Gateway,
no error is added to `errors` for the field (issue 13, behaviour 8; the gateway
reports it under `extensions.valueCompletion`, decision 0005).
"""

from typing import Any

from tests.federation.subgraph import Resolvers

USERS: dict[str, dict[str, Any]] = {
    "u1": {"id": "u1", "type": "REGULAR", "roles": ["REGULAR"]},
    "u2": {"id": "u2", "type": "SYSTEM", "roles": ["STAFF", "SYSTEM"]},
    "u3": {"id": "u3", "type": "STAFF", "roles": ["STAFF"]},
}


def build() -> dict[str, Resolvers]:
    return {
        "accounts": {
            "Query.users": lambda _, __: list(USERS.values()),
            "Query.usersByType": lambda _, args: [
                u for u in USERS.values() if u["type"] == args["type"]
            ],
            "User": lambda rep: USERS.get(rep["id"]),
        },
        "audit": {
            "Query.recentLogins": lambda _, __: [
                {"at": "09:02", "user": {"id": "u2"}},
                {"at": "09:15", "user": {"id": "u3"}},
            ],
        },
    }
