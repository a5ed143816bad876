from tests.federation.subgraph import Resolvers, lookup

CITIZENS = [
    {"id": "c1", "name": "Ann", "taxNumber": "T-100", "kind": "RESIDENT"},
    {"id": "c2", "name": "Ben", "taxNumber": "T-205", "kind": "VISITOR"},
]


def build() -> dict[str, Resolvers]:
    return {
        "people": {
            "Query.citizens": lambda _, __: CITIZENS,
            "Citizen": lookup(CITIZENS, "id"),
            "Query.internalAudit": lambda _, __: "secret",
        },
        "benefits": {"Citizen.allowance": lambda c, _: int(c["taxNumber"][2:]) * 2},
    }
