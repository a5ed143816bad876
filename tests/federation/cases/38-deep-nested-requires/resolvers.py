from typing import Any

from tests.federation.subgraph import Resolvers, lookup

CLAIMS = [
    {"id": "k1", "applicant": {"id": "a1"}},
    {"id": "k2", "applicant": {"id": "a2"}},
    {"id": "k3", "applicant": {"id": "a1"}},
]
APPLICANTS = [
    {"id": "a1", "income": 18000, "household": {"adults": 1, "children": 2}},
    {"id": "a2", "income": 90000, "household": {"adults": 2, "children": 0}},
]


def eligible(claim: dict[str, Any], _: Any) -> bool:
    a = claim["applicant"]
    per_person = a["income"] / (a["household"]["adults"] + a["household"]["children"])
    return bool(per_person < 10000)


def build() -> dict[str, Resolvers]:
    return {
        "claims": {"Query.claims": lambda _, __: CLAIMS, "Claim": lookup(CLAIMS, "id")},
        "applicants": {"Applicant": lookup(APPLICANTS, "id")},
        "eligibility": {
            "Claim.eligible": eligible,
            "Claim.reason": lambda c, _: (
                "children" if c["applicant"]["household"]["children"] else "none"
            ),
        },
    }
