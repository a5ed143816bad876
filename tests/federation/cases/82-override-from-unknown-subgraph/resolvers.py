"""`@override(from:)` naming a subgraph that is not in the supergraph.

Overriding an absent subgraph takes nothing away from anyone: `postedOn` stays
shareable and both subgraphs may serve it, so `notices { postedOn }` needs one
fetch wherever it starts, and each subgraph's own root field keeps its own
answer. The two subgraphs list notices in different orders, which shows which
one served a root field.
"""

from tests.federation.subgraph import Resolvers, lookup

NOTICES = [
    {"id": "n1", "postedOn": "2026-03-02", "headline": "Library closed Monday"},
    {"id": "n2", "postedOn": "2026-03-05", "headline": "New bus timetable"},
    {"id": "n3", "postedOn": "2026-03-09", "headline": "Water main repairs"},
]


def build() -> dict[str, Resolvers]:
    find = lookup(NOTICES, "id")
    return {
        "noticeboard": {
            "Query.notices": lambda _, __: [
                {"id": n["id"], "postedOn": n["postedOn"]} for n in NOTICES
            ],
            "Query.boardNotices": lambda _, __: [
                {"id": n["id"], "postedOn": n["postedOn"]} for n in NOTICES[1:]
            ],
            "Notice": lambda rep: {"id": rep["id"], "postedOn": find(rep)["postedOn"]},
        },
        "bulletins": {
            "Query.notices": lambda _, __: list(reversed(NOTICES)),
            "Query.bulletinNotices": lambda _, __: NOTICES[:1],
            "Notice": find,
        },
    }
