"""@provides through an interface-typed list into implementations that are external.

premises provides `animals { id name }` below its `Premises` root: the whole
selection on the interface is answered by premises alone. `age` of one
implementation lives only in livestock, so the gateway has to leave premises
and fetch it there, either by the animal's key or through the parent `Farm`.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

ANIMALS = {
    "an1": {"__typename": "Horse", "id": "an1", "name": "Bran", "age": 9},
    "an2": {"__typename": "Goat", "id": "an2", "name": "Nettle", "age": 3},
}
FARM = {"id": "fm1", "animals": ["an1", "an2"]}


def _animal(aid: str) -> dict[str, Any] | None:
    return dict(ANIMALS[aid]) if aid in ANIMALS else None


def build() -> dict[str, Resolvers]:
    return {
        "premises": {
            "Query.premises": lambda _, __: {
                "__typename": "Farm",
                "id": FARM["id"],
                "animals": [
                    {k: v for k, v in ANIMALS[a].items() if k != "age"} for a in FARM["animals"]
                ],
            },
        },
        "livestock": {
            "Farm": lambda rep: dict(FARM) if rep["id"] == FARM["id"] else None,
            "Farm.animals": lambda f, _: [_animal(a) for a in f["animals"]],
            "Horse": lambda rep: _animal(rep["id"]),
            "Goat": lambda rep: _animal(rep["id"]),
        },
    }
