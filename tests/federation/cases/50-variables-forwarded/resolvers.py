from typing import Any

from tests.federation.subgraph import Resolvers

NOTES = {
    "c1": [("ann", "called applicant"), ("ben", "sent letter"), ("ann", "letter returned")],
    "c2": [("ben", "closed")],
    "c3": [],
}


def cases(_: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    page = args["page"]
    ids = ["c1", "c2", "c3"][page["offset"] : page["offset"] + page["size"]]
    return [{"id": i} for i in ids]


def notes(case: dict[str, Any], args: dict[str, Any]) -> list[str]:
    f = args.get("filter") or {}
    rows = [
        t
        for a, t in NOTES[case["id"]]
        if (f.get("authors") is None or a in f["authors"])
        and (f.get("contains") is None or f["contains"] in t)
    ]
    return rows[: args["limit"]]


def build() -> dict[str, Resolvers]:
    return {"cases": {"Query.cases": cases}, "notes": {"CaseFile.notes": notes}}
