"""Objects of @inaccessible types still come back from the subgraph at runtime."""

from tests.federation.subgraph import Resolvers

RESULTS = [
    {"__typename": "Person", "id": "1", "name": "Ann"},
    {"__typename": "Secret", "code": "X"},
]
THINGS = [{"__typename": "Visible", "id": "v"}, {"__typename": "Hidden", "id": "h"}]


def build() -> dict[str, Resolvers]:
    return {
        "search": {"Query.results": lambda _, __: RESULTS, "Query.things": lambda _, __: THINGS},
        "people": {"Person": lambda rep: {"age": 40}},
    }
