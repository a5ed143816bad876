"""Same response name, different subgraph types: `Citizen.name` is `String!` in people.

Composition widens the shared `Citizen.name` to `String` in the supergraph, so a
client may select `name` under both `... on Citizen` and `... on Officer`
(`String` both). Sent as is to people, those two selections conflict
(`String!` vs `String`) and fail subgraph validation: the gateway has to rename
one of them in the subgraph query and map it back.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

ROWS: dict[str, dict[str, Any]] = {
    "c1": {"__typename": "Citizen", "id": "c1", "name": "Nora Flynn"},
    "o1": {"__typename": "Officer", "id": "o1", "name": "Sgt. Reid"},
    "o2": {"__typename": "Officer", "id": "o2", "name": None},
}
ORDER = ["c1", "o1", "o2"]


def _row(aid: str) -> dict[str, Any]:
    return {**ROWS[aid], "related": [aid2 for aid2 in ORDER if aid2 != aid][:2]}


def build() -> dict[str, Resolvers]:
    return {
        "people": {
            "Query.accounts": lambda _, __: [_row(a) for a in ORDER],
            "Citizen.related": lambda c, _: [_row(a) for a in c["related"]],
            "Officer.related": lambda o, _: [_row(a) for a in o["related"]],
            "Citizen": lambda rep: _row(rep["id"]) if rep["id"] in ROWS else None,
            "Officer": lambda rep: _row(rep["id"]) if rep["id"] in ROWS else None,
        },
        "directory": {
            "Query.citizens": lambda _, __: [{"id": "c1", "name": "Nora Flynn"}],
            "Citizen": lambda rep: {"id": rep["id"], "name": ROWS[rep["id"]]["name"]},
        },
    }
