"""Progressive override at 100% and 0%: each answer shows which subgraph served the field."""

from tests.federation.subgraph import Resolvers, lookup

LEGACY = [
    {"id": "g1", "amount": -1, "status": "legacy"},
    {"id": "g2", "amount": -1, "status": "legacy"},
]
MODERN = [
    {"id": "g1", "amount": 500, "status": "modern"},
    {"id": "g2", "amount": 750, "status": "modern"},
]


def build() -> dict[str, Resolvers]:
    return {
        "legacy": {"Query.grants": lambda _, __: LEGACY, "Grant": lookup(LEGACY, "id")},
        "modern": {"Grant": lookup(MODERN, "id")},
    }
