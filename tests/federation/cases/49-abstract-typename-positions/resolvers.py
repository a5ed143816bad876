from tests.federation.subgraph import Resolvers

AGENCY = {"__typename": "Agency", "id": "ag1", "title": "Tax Office"}
PERSON = {"__typename": "Person", "id": "pe1", "name": "Ann"}
ADDRESSES = {"ag1": {"address": {"city": "Lyon"}}, "pe1": {"address": None}}


def build() -> dict[str, Resolvers]:
    return {
        "directory": {
            "Query.contacts": lambda _, __: [PERSON, AGENCY, PERSON],
            "Query.primary": lambda _, __: AGENCY,
        },
        "addresses": {
            "Agency": lambda rep: ADDRESSES[rep["id"]],
            "Person": lambda rep: ADDRESSES[rep["id"]],
        },
    }
