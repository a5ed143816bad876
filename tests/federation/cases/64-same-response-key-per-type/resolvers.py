from typing import Any

from tests.federation.subgraph import Resolvers, lookup

HITS = [
    {"__typename": "Person", "id": "p1"},
    {"__typename": "Vehicle", "plate": "AB-123"},
    {"__typename": "Person", "id": "p2"},
    {"__typename": "Vehicle", "plate": "ZZ-999"},
]
PEOPLE = [{"id": "p1", "name": "Ann"}, {"id": "p2", "name": "Ben"}]
VEHICLES = [
    {"plate": "AB-123", "model": "Volvo", "owner": {"id": "p2"}},
    {"plate": "ZZ-999", "model": "Fiat", "owner": None},
]


def search(_: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    return HITS if args["term"] == "all" else HITS[:1]


def build() -> dict[str, Resolvers]:
    return {
        "search": {"Query.search": search},
        "people": {"Person": lookup(PEOPLE, "id")},
        "vehicles": {"Vehicle": lookup(VEHICLES, "plate")},
    }
