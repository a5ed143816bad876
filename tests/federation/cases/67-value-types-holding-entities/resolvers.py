from tests.federation.subgraph import Resolvers

ENTRIES = [
    {"at": "09:00", "actor": {"id": "a1"}},
    {"at": "09:05", "actor": {"id": "a2"}},
    {"at": "09:09", "actor": {"id": "a1"}},
]


def build() -> dict[str, Resolvers]:
    return {
        "timeline": {
            "Query.timeline": lambda _, __: {
                "items": ENTRIES,
                "info": {"total": 3, "last": ENTRIES[-1]},
            }
        },
        "actors": {"Actor": lambda rep: {"display": f"actor {rep['id']}"}},
    }
