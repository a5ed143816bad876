"""A child object whose fields come from three places, two of them only through the parent.

`Request.team` is shared by notes and routing. In notes, `Team` is a value type
(`notes` only, no key): reachable only by calling `Request` in notes. routing
gives the team's `id`, from which teams resolves `name` by key. One query for
`team { id name notes }` therefore needs the parent call to notes and the
routing -> teams chain. Such mixed selections (and `team { name }` alone) are
operations team-name-only and team-from-three-places.
"""

from tests.federation.subgraph import Resolvers

REQUESTS = {
    "rq1": {"subject": "Broken footpath", "team": "tm3"},
    "rq2": {"subject": "Graffiti", "team": "tm1"},
}
TEAMS = {"tm1": "Cleansing", "tm3": "Roads"}


def build() -> dict[str, Resolvers]:
    return {
        "requests": {
            "Query.requestById": lambda _, args: (
                {"id": args["id"], "subject": REQUESTS[args["id"]]["subject"]}
                if args["id"] in REQUESTS
                else None
            ),
            "Request": lambda rep: {"id": rep["id"], "subject": REQUESTS[rep["id"]]["subject"]},
        },
        "notes": {
            "Request": lambda rep: {
                "id": rep["id"],
                "team": {"notes": f"Escalated from request {rep['id']}"},
            },
        },
        "routing": {
            "Request": lambda rep: {"id": rep["id"], "team": {"id": REQUESTS[rep["id"]]["team"]}},
            "Team": lambda rep: {"id": rep["id"]},
        },
        "teams": {"Team": lambda rep: {"id": rep["id"], "name": TEAMS.get(rep["id"])}},
    }
