"""Composite keys whose nested part is null: the representation carries the null."""

import json
from typing import Any

from tests.federation.subgraph import Resolvers

MEMBERS = [
    {"id": "m1", "branch": {"code": "N"}, "name": "Ann"},
    {"id": "m2", "branch": None, "name": "Ben"},
    {"id": "m3", "branch": {"code": None}, "name": "Cy"},
]


def dues(rep: dict[str, Any]) -> dict[str, Any]:
    # the amount encodes the representation received, so any change in what is sent shows
    return {"owed": len(json.dumps(rep, sort_keys=True))}


def build() -> dict[str, Resolvers]:
    return {"registry": {"Query.members": lambda _, __: MEMBERS}, "dues": {"Member": dues}}
