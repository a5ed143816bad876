"""@requires on an @interfaceObject whose root field is in the same subgraph.

handles starts the query (`otherResidents`) but needs `name` from people for
`handle`: the gateway must leave handles, fetch `name` by key from people, and
come back to handles with `name` in the representation. `handle` fails loudly
without it. Type conditions on `Citizen` additionally need people to tell
which rows are citizens.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

PEOPLE = {
    "c1": {"name": "Maeve Hart", "age": 34},
    "c2": {"name": "Tariq Aziz", "age": 58},
}


def _citizen(cid: str) -> dict[str, Any] | None:
    p = PEOPLE.get(cid)
    return None if p is None else {"__typename": "Citizen", "id": cid, **p}


def _handle(profile: dict[str, Any], _args: Any) -> str:
    if not profile.get("name"):
        raise ValueError("required field name was not provided")
    return "@" + str(profile["name"]).lower().replace(" ", ".")


def build() -> dict[str, Resolvers]:
    return {
        "people": {
            "Query.residents": lambda _, __: [_citizen(c) for c in PEOPLE],
            "Profile": lambda rep: _citizen(rep["id"]),
            "Citizen": lambda rep: _citizen(rep["id"]),
        },
        "handles": {
            "Query.otherResidents": lambda _, __: [{"id": c} for c in PEOPLE],
            "Profile": lambda rep: {k: v for k, v in rep.items() if k != "__typename"},
            "Profile.handle": _handle,
        },
    }
