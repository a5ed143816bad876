"""`Document` has different members in each subgraph; the supergraph union has all three."""

from tests.federation.subgraph import Resolvers, lookup

FORMS = [{"__typename": "Form", "id": "f1", "code": "A-1", "pages": 3}]
LETTER = {"__typename": "Letter", "id": "l1", "subject": "Your claim"}
PERMIT = {"__typename": "Permit", "id": "p1", "validUntil": "2030-01-01"}


def build() -> dict[str, Resolvers]:
    return {
        "forms": {
            "Query.recentDocuments": lambda _, __: [LETTER, *FORMS],
            "Form": lookup(FORMS, "id"),
        },
        "permits": {
            "Query.pendingDocuments": lambda _, __: [*FORMS, PERMIT],
            "Form": lookup(FORMS, "id"),
        },
    }
