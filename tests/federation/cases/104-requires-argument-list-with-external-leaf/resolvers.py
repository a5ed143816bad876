"""@requires with a field argument over a list whose leaf lives in another subgraph.

`leadSigner` (tally) needs `signatures(first: 3) { signerId }`: the list is
tally's own, but `signerId` is external there and comes from petitions by the
Signature key. The client may also select `signatures` with another argument,
so the gateway must keep the required call apart from the client's one (same
field, different arguments) in the subgraph query and the representation.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

SIGNATURES = [
    {"id": "s1", "petition": "pe1", "signerId": "a3", "town": "Athlone", "signedOn": "03-01"},
    {"id": "s2", "petition": "pe1", "signerId": "a1", "town": "Birr", "signedOn": "03-02"},
    {"id": "s3", "petition": "pe1", "signerId": "a2", "town": "Tullamore", "signedOn": "03-04"},
    {"id": "s4", "petition": "pe1", "signerId": "a1", "town": "Birr", "signedOn": "03-09"},
    {"id": "s5", "petition": "pe2", "signerId": "a2", "town": "Clara", "signedOn": "04-11"},
]
SIGNERS = {"a1": "Noel Fahy", "a2": "Gemma Rooney", "a3": "Paul Igoe"}


def _of(pid: str, first: int) -> list[dict[str, Any]]:
    return [s for s in SIGNATURES if s["petition"] == pid][:first]


def _lead(petition: dict[str, Any], _args: Any) -> dict[str, Any] | None:
    sigs = petition.get("signatures")
    if not isinstance(sigs, list):
        raise ValueError("signatures(first: 3) were not provided")
    if len(sigs) > 3 or any("signerId" not in s for s in sigs if s):
        raise ValueError("expected at most 3 signatures with signerId")
    last = sigs[-1] if sigs else None
    return None if not last else {"id": last["signerId"], "name": SIGNERS[last["signerId"]]}


def build() -> dict[str, Resolvers]:
    by_id = {s["id"]: s for s in SIGNATURES}
    return {
        "petitions": {
            "Query.petitions": lambda _, __: [{"id": "pe1"}, {"id": "pe2"}],
            "Petition": lambda rep: {"id": rep["id"]},
            "Signature": lambda rep: by_id.get(rep["id"]),
        },
        "tally": {
            "Petition": dict,
            "Petition.signatures": lambda p, args: [
                {"id": s["id"], "signedOn": s["signedOn"]} for s in _of(p["id"], args["first"])
            ],
            "Petition.leadSigner": _lead,
            "Signature": lambda rep: {"id": rep["id"], "signedOn": by_id[rep["id"]]["signedOn"]},
        },
    }
