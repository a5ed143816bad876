from tests.federation.subgraph import Resolvers

ITEMS = [
    {"id": "1", "title": "Guide", "oldTitle": "Old guide", "kind": "BOOK"},
    {"id": "2", "title": "Notice", "oldTitle": None, "kind": "LEAFLET"},
]


def build() -> dict[str, Resolvers]:
    return {
        "catalog": {"Query.items": lambda _, a: ITEMS[: a["first"]]},
        "links": {"Item": lambda rep: {"link": f"https://example.org/{rep['id']}"}},
    }
