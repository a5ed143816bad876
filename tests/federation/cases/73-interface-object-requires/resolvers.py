from tests.federation.subgraph import Resolvers, lookup

CONTENT = [
    {"__typename": "Article", "id": "c1", "words": 900, "headline": "Budget passed"},
    {"__typename": "Video", "id": "c2", "words": 120, "seconds": 95},
    {"__typename": "Article", "id": "c3", "words": 2400, "headline": "Road works"},
]
STARS = [{"id": "c1", "stars": 4}, {"id": "c2", "stars": 5}, {"id": "c3", "stars": 2}]


def build() -> dict[str, Resolvers]:
    find = lookup(CONTENT, "id")
    return {
        "content": {
            "Query.content": lambda _, __: CONTENT,
            "Content": find,
            "Article": find,
            "Video": find,
        },
        "reading": {"Content.readingMinutes": lambda c, _: max(1, c["words"] // 200)},
        "ratings": {
            "Query.mostRead": lambda _, __: [STARS[2], STARS[0]],
            "Content": lookup(STARS, "id"),
        },
    }
