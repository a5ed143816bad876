from tests.federation.subgraph import Resolvers, lookup

PARTIES = {
    "K1": [{"__typename": "Citizen", "id": "c1"}, {"__typename": "Company", "regNo": "R9"}],
    "K2": [{"__typename": "Company", "regNo": "R9"}],
    "K3": [],
}
CITIZENS = [{"id": "c1", "fullName": "Ann Smith"}, {"id": "c2", "fullName": "Bo Chen"}]
COMPANIES = [{"regNo": "R9", "legalName": "Acme Ltd", "director": {"id": "c2"}}]


def build() -> dict[str, Resolvers]:
    return {
        "cases": {"Query.caseFiles": lambda _, __: [{"ref": r} for r in ("K1", "K2", "K3")]},
        "parties": {"CaseFile": lambda rep: {"parties": PARTIES[rep["ref"]]}},
        "registry": {
            "Citizen": lookup(CITIZENS, "id"),
            "Company": lookup(COMPANIES, "regNo"),
            "Company.director": lambda c, _: lookup(CITIZENS, "id")(c["director"]),
        },
    }
