from typing import Any

from tests.federation.subgraph import Resolvers

PERMITS = [
    {"id": "1", "state": "OPEN"},
    {"id": "2", "state": "CLOSED"},
    {"id": "3", "state": "OPEN"},
]


def permits(_: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    status = args.get("status")
    return [p for p in PERMITS if status is None or p["state"] == status]


def build() -> dict[str, Resolvers]:
    return {
        "permits": {"Query.permits": permits},
        "archive": {
            "Query.archived": lambda _, a: [f"{a['status']}-2019", f"{a['status']}-2020"],
            "Query.oldest": lambda _, __: "ARCHIVED",
        },
    }
