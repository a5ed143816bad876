from tests.federation.subgraph import Resolvers, lookup

MEDIA = [
    {"__typename": "Book", "id": "b1", "title": "Dune", "author": "Herbert"},
    {"__typename": "Movie", "id": "m1", "title": "Alien", "director": "Scott"},
    {"__typename": "Book", "id": "b2", "title": "Emma", "author": "Austen"},
]
RATINGS = [{"id": "b1", "rating": 5}, {"id": "m1", "rating": 4}, {"id": "b2", "rating": 3}]


def build() -> dict[str, Resolvers]:
    find = lookup(MEDIA, "id")
    return {
        "media": {"Query.library": lambda _, __: MEDIA, "Book": find, "Movie": find, "Media": find},
        "reviews": {
            "Query.topRated": lambda _, __: [r for r in RATINGS if r["rating"] >= 4],
            "Media": lookup(RATINGS, "id"),
        },
    }
