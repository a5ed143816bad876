"""A Relay-style `Node` root whose implementations' fields live in another subgraph.

nodes returns `Node` with only ids; details owns the other fields; mirror
knows the same entities by id but adds nothing, so a plan that hops through it
only wastes a request. `__typename` is selected under several aliases at once,
on the interface and inside type conditions.
"""

from tests.federation.subgraph import Resolvers

PERMITS = {"pm-1": {"title": "Hoarding permit", "fee": 75.0}}
OFFICES = {"of-1": {"name": "Civic Offices"}}


def build() -> dict[str, Resolvers]:
    return {
        "nodes": {
            "Query.permitNode": lambda _, __: {"__typename": "Permit", "id": "pm-1"},
            "Query.officeNode": lambda _, __: {"__typename": "Office", "id": "of-1"},
            "Query.anyNodes": lambda _, __: [
                {"__typename": "Office", "id": "of-1"},
                {"__typename": "Permit", "id": "pm-1"},
            ],
        },
        "details": {
            "Permit": lambda rep: (
                {"id": rep["id"], **PERMITS[rep["id"]]} if rep["id"] in PERMITS else None
            ),
            "Office": lambda rep: (
                {"id": rep["id"], **OFFICES[rep["id"]]} if rep["id"] in OFFICES else None
            ),
        },
        "mirror": {
            "Permit": lambda rep: {"id": rep["id"]} if rep["id"] in PERMITS else None,
            "Office": lambda rep: {"id": rep["id"]} if rep["id"] in OFFICES else None,
        },
    }
