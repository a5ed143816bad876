"""A union whose members differ per subgraph (`Permit | Fine` here, `Permit | Licence` there).

The supergraph union is `Permit | Fine | Licence`. A shared field returning it
can be served by either subgraph, but a fragment on a member a subgraph lacks
cannot be sent there: the gateway must drop it (the member can never come back
from that subgraph) and route fields only one subgraph has (`Desk.fine`) to it.
"""

from tests.federation.subgraph import Resolvers

PERMIT = {"__typename": "Permit", "title": "Skip permit 44"}
FINE = {"__typename": "Fine", "title": "Parking fine 912"}


def build() -> dict[str, Resolvers]:
    desk = {"record": PERMIT, "permit": PERMIT, "fine": FINE}
    return {
        "courts": {
            "Query.record": lambda _, __: PERMIT,
            "Query.permit": lambda _, __: PERMIT,
            "Query.desk": lambda _, __: desk,
        },
        "licensing": {
            "Query.record": lambda _, __: PERMIT,
            "Query.permit": lambda _, __: PERMIT,
            "Query.desk": lambda _, __: {"record": PERMIT, "permit": PERMIT},
        },
    }
