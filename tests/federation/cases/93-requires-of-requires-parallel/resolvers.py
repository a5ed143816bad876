"""Two @requires chains side by side, each needing a field that is itself @requires.

`autoApprove` (decisions) needs `isHigh` (rules), which needs `amount`
(ledger); `approveAfterWaiver` needs `isHighAfterWaiver`, which needs
`hasWaiver` from benefits, where the query starts. Every computed field checks
that its input arrived, so a missing hop shows as an error.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

CLAIM = {"id": "q1", "amount": 1800.0, "hasWaiver": True}


def _need(row: dict[str, Any], name: str) -> Any:
    if name not in row:
        raise ValueError(f"{name} was not provided")
    return row[name]


def build() -> dict[str, Resolvers]:
    return {
        "ledger": {"Claim": lambda rep: {"id": rep["id"], "amount": CLAIM["amount"]}},
        "benefits": {
            "Query.claim": lambda _, __: {"id": CLAIM["id"], "hasWaiver": CLAIM["hasWaiver"]},
            "Claim": lambda rep: {"id": rep["id"], "hasWaiver": CLAIM["hasWaiver"]},
        },
        "rules": {
            "Claim.isHigh": lambda c, _: _need(c, "amount") > 1000,
            "Claim.isHighAfterWaiver": lambda c, _: not _need(c, "hasWaiver"),
        },
        "decisions": {
            "Claim.autoApprove": lambda c, _: not _need(c, "isHigh"),
            "Claim.approveAfterWaiver": lambda c, _: not _need(c, "isHighAfterWaiver"),
        },
    }
