"""A shared root field where only one subgraph @provides a field on one union/interface member.

Both archive and library serve `publications`/`assets`; library also provides
`Leaflet.title`. Asking for leaflet titles should go to library alone; titles is
needed only for `Recording.title` (not provided) and `Leaflet.pages`. Rows from
library carry the provided title, while titles' copy of a leaflet title is
marked, so a plan that fetched it from the wrong place shows in the data.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

ITEMS = [
    {"__typename": "Leaflet", "id": "x1", "title": "Recycling guide", "pages": 4},
    {"__typename": "Recording", "id": "x2", "title": "Council meeting, May"},
    {"__typename": "Leaflet", "id": "x3", "title": "Flood advice", "pages": 2},
]


def _library_rows(_: Any, __: Any) -> list[dict[str, Any]]:
    return [
        {
            "__typename": r["__typename"],
            "id": r["id"],
            **({"title": r["title"]} if r["__typename"] == "Leaflet" else {}),
        }
        for r in ITEMS
    ]


def _titles_row(rep: dict[str, Any]) -> dict[str, Any] | None:
    row = next((r for r in ITEMS if r["id"] == rep["id"]), None)
    if row is None:
        return None
    if row["__typename"] == "Leaflet":
        return {**row, "title": row["title"] + " (fetched from titles, not provided)"}
    return dict(row)


def build() -> dict[str, Resolvers]:
    return {
        "archive": {
            "Query.publications": lambda _, __: [
                {"__typename": r["__typename"], "id": r["id"]} for r in ITEMS
            ],
            "Query.assets": lambda _, __: [
                {"__typename": r["__typename"], "id": r["id"]} for r in ITEMS
            ],
        },
        "library": {"Query.publications": _library_rows, "Query.assets": _library_rows},
        "titles": {"Leaflet": _titles_row, "Recording": _titles_row},
    }
