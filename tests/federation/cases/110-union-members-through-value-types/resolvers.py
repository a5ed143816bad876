"""Union members that exist only in some subgraphs, reached through shareable value types
(issue 13, behaviour 4).

`Record` is `Permit | Fine` in courts and `Permit | Licence` in licensing; `Desk` is a
value type (no key) both serve. A value type cannot be re-entered through a key, so
a fragment on a member the answering subgraph lacks selects nothing there, and fields
only one subgraph has (`Desk.fine`, `Desk.licence`) decide which subgraph answers.
Both subgraphs return the same permit where they share it.
"""

from tests.federation.subgraph import Resolvers

PERMIT = {"__typename": "Permit", "title": "Skip permit 44"}
FINE = {"__typename": "Fine", "title": "Parking fine 912", "amount": 80}
LICENCE = {"__typename": "Licence", "title": "Taxi licence 7", "expires": "2031-01-01"}


def build() -> dict[str, Resolvers]:
    return {
        "courts": {
            "Query.record": lambda _, __: PERMIT,
            "Query.desk": lambda _, __: {"name": "Front", "record": PERMIT, "fine": FINE},
        },
        "licensing": {
            "Query.record": lambda _, __: PERMIT,
            "Query.desk": lambda _, __: {
                "name": "Front",
                "record": PERMIT,
                "licence": LICENCE,
            },
        },
    }
