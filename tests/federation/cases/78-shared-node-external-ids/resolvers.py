"""A shared `Query.node` whose implementations each keep `id` @external in one subgraph.

Composition accepts this supergraph, yet `node { id }` has no subgraph that can
resolve `id` for every possible type: the planner must route each type
condition to the subgraph that owns it, and refuse a selection no subgraph can
answer. A subgraph asked for an @external id it does not own answers "unowned",
so a plan that reads it from the wrong place shows in the data.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

HOUSEHOLDS = {"h1": {"id": "h1", "surname": "Doyle"}, "h2": {"id": "h2", "surname": "Okafor"}}
TICKETS = {
    "t1": {"id": "t1", "subject": "Bin collection missed", "household": "h1"},
    "t2": {"id": "t2", "subject": "Streetlight out", "household": "h1"},
    "t3": {"id": "t3", "subject": "Pothole", "household": "h2"},
}
UNOWNED = "unowned"


def _household(hid: str) -> dict[str, Any] | None:
    row = HOUSEHOLDS.get(hid)
    return None if row is None else {"__typename": "Household", **row}


def _ticket(tid: str) -> dict[str, Any] | None:
    row = TICKETS.get(tid)
    return (
        None
        if row is None
        else {"__typename": "Ticket", "id": row["id"], "subject": row["subject"]}
    )


def _households_node(_: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    if args["id"] in HOUSEHOLDS:
        return _household(args["id"])
    if args["id"] in TICKETS:
        return {"__typename": "Ticket", "id": UNOWNED, "hh": TICKETS[args["id"]]["household"]}
    return None


def _tickets_node(_: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    if args["id"] in TICKETS:
        return _ticket(args["id"])
    if args["id"] in HOUSEHOLDS:
        return {"__typename": "Household", "id": UNOWNED, "owner": args["id"]}
    return None


def _tickets_of(household: dict[str, Any], _args: Any) -> list[dict[str, Any]]:
    owner = household.get("owner", household["id"])
    return [t for t in (_ticket(k) for k, v in TICKETS.items() if v["household"] == owner) if t]


def build() -> dict[str, Resolvers]:
    return {
        "households": {
            "Query.node": _households_node,
            "Query.household": lambda _, args: _household(args["id"]),
            "Household": lambda rep: _household(rep["id"]),
            "Ticket": lambda rep: (
                {"__typename": "Ticket", "id": rep["id"], "hh": TICKETS[rep["id"]]["household"]}
                if rep["id"] in TICKETS
                else None
            ),
            "Ticket.household": lambda t, _: _household(t["hh"]),
        },
        "tickets": {
            "Query.node": _tickets_node,
            "Query.ticket": lambda _, args: _ticket(args["id"]),
            "Ticket": lambda rep: _ticket(rep["id"]),
            "Household": lambda rep: (
                {"__typename": "Household", "id": rep["id"], "owner": rep["id"]}
                if rep["id"] in HOUSEHOLDS
                else None
            ),
            "Household.tickets": _tickets_of,
        },
    }
