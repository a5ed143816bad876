"""A field whose type differs between subgraphs (issue 13, behaviour 1).

`Shelf.featured`/`pick`/`items` return `Book` in catalog, but the `Media` union
(`Book | Film`) or the `Titled` interface in media, so the supergraph types them as
`Media`/`Titled`. Catalog answers them whenever it is already fetching the shelf;
the operation sent to catalog may then only hold type conditions its own schema
accepts there (no `Film`, no `Titled`, which catalog does not define), or catalog
rejects the whole operation and the shelves become null.
Data is the same in both subgraphs: every featured, picked or listed item is a book.
"""

from typing import Any

from tests.federation.subgraph import Resolvers, lookup

BOOKS = [
    {"__typename": "Book", "isbn": "b1", "title": "Dune"},
    {"__typename": "Book", "isbn": "b2", "title": "Emma"},
]
FILMS = [{"__typename": "Film", "id": "f1", "title": "Alien", "minutes": 117}]
SHELVES: list[dict[str, Any]] = [
    {"id": "s1", "featured": BOOKS[0], "pick": BOOKS[1], "items": BOOKS, "location": "hall"},
    {"id": "s2", "featured": None, "pick": BOOKS[0], "items": [], "location": "attic"},
]


def build() -> dict[str, Resolvers]:
    return {
        "catalog": {
            "Query.shelves": lambda _, __: SHELVES,
            "Shelf": lookup(SHELVES, "id"),
            "Book": lookup(BOOKS, "isbn"),
        },
        "media": {
            "Query.showcase": lambda _, __: [*BOOKS, *FILMS],
            "Shelf": lookup(SHELVES, "id"),
            "Book": lookup(BOOKS, "isbn"),
            "Film": lookup(FILMS, "id"),
        },
    }
