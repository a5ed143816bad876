"""Interfaces and unions spread over four subgraphs, each seeing a different slice.

`Document` has different fields in every subgraph; implementations narrow
`related` to their own type (`[Leaflet]` for `[Document]`); feedback requires
`related { id }` and postage requires `size { ... }` for a field with an
argument; `Issuer` has `Department | SelfIssued` in documents but
`Department | Board` in departments, and `Department` is only an entity in
departments. `Document.internal` is @inaccessible on the interface but visible
on the object types.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

DOCS: dict[str, dict[str, Any]] = {
    "l1": {
        "__typename": "Leaflet",
        "code": "LF-1",
        "size": {"pages": 4, "weightKg": 0.1},
        "author": "o1",
        "internal": False,
        "issuer": {"__typename": "Department", "id": "d1"},
    },
    "l2": {
        "__typename": "Leaflet",
        "code": "LF-2",
        "size": {"pages": 12, "weightKg": 1.5},
        "author": "o2",
        "internal": True,
        "issuer": {"__typename": "SelfIssued", "email": "sam@example.org"},
    },
    "r1": {
        "__typename": "Report",
        "code": "RP-1",
        "size": {"pages": 80, "weightKg": 2.0},
        "author": "o1",
        "internal": False,
        "issuer": {"__typename": "Department", "id": "d2"},
    },
    "r2": {
        "__typename": "Report",
        "code": "RP-2",
        "size": {"pages": 3, "weightKg": 0.2},
        "author": "o2",
        "internal": True,
        "issuer": None,
    },
}
OFFICERS = {"o1": "kim@agency.example", "o2": "lee@agency.example"}
DEPARTMENTS = {
    "d1": {"title": "Planning", "address": "1 Main St"},
    "d2": {"title": "Transport", "address": "9 Quay Rd"},
}
COMMENTS = [
    (1, "l1", "Clear and short"),
    (2, "l1", "Add a map"),
    (3, "r1", "Figures look off"),
    (4, "l2", "Typo on page 3"),
]


def _doc(did: str) -> dict[str, Any]:
    d = DOCS[did]
    return {
        "__typename": d["__typename"],
        "id": did,
        "code": d["code"],
        "size": d["size"],
        "author": d["author"],
        "internal": d["internal"],
        "issuer": d["issuer"],
    }


def _same_kind(did: str) -> list[str]:
    return [k for k, v in DOCS.items() if k != did and v["__typename"] == DOCS[did]["__typename"]]


def _comment(row: tuple[int, str, str]) -> dict[str, Any]:
    cid, did, text = row
    return {"id": cid, "text": text, "document": {"__typename": DOCS[did]["__typename"], "id": did}}


def _comments_on_related(doc: dict[str, Any], _args: Any) -> list[dict[str, Any]]:
    if "related" not in doc:
        raise ValueError("related was not provided")
    ids = {r["id"] for r in doc["related"]}
    return [_comment(c) for c in COMMENTS if c[1] in ids]


def _postage(doc: dict[str, Any], args: dict[str, Any]) -> dict[str, Any] | None:
    size = doc.get("size")
    if not args.get("zone") or not size:
        return None
    if size["pages"] <= 10 and size["weightKg"] < 1:
        return {"standard": "2 days", "express": "next day"}
    if size["weightKg"] >= 1:
        return {"standard": "5 days", "express": "3 days"}
    return None


def _officer(email: str) -> dict[str, Any]:
    oid = next(k for k, v in OFFICERS.items() if v == email)
    return {"email": email, "documentsWritten": sum(1 for d in DOCS.values() if d["author"] == oid)}


def build() -> dict[str, Resolvers]:
    documents: Resolvers = {
        "Query.documents": lambda _, __: [_doc(d) for d in DOCS],
        "Query.relatedTo": lambda _, args: (
            [_doc(d) for d in _same_kind(args["id"])] if args["id"] in DOCS else []
        ),
        "Officer": lambda rep: (
            _officer(rep["email"]) if rep["email"] in OFFICERS.values() else None
        ),
    }
    for kind in ("Leaflet", "Report"):
        documents[kind] = lambda rep: _doc(rep["id"]) if rep["id"] in DOCS else None
        documents[f"{kind}.author"] = lambda d, _: _officer(OFFICERS[d["author"]])
        documents[f"{kind}.related"] = lambda d, _: [_doc(r) for r in _same_kind(d["id"])]
    feedback: Resolvers = {
        "Query.comment": lambda _, args: next(
            (_comment(c) for c in COMMENTS if c[0] == args["id"]), None
        )
    }
    postage: Resolvers = {}
    for kind in ("Leaflet", "Report"):
        feedback[kind] = lambda rep: dict(rep) if rep["id"] in DOCS else None
        feedback[f"{kind}.comments"] = lambda d, _: [
            _comment(c) for c in COMMENTS if c[1] == d["id"]
        ]
        feedback[f"{kind}.commentCount"] = lambda d, _: sum(1 for c in COMMENTS if c[1] == d["id"])
        feedback[f"{kind}.commentsOnRelated"] = _comments_on_related
        postage[kind] = lambda rep: dict(rep) if rep["id"] in DOCS else None
        postage[f"{kind}.postage"] = _postage
    return {
        "documents": documents,
        "departments": {
            "Department": lambda rep: (
                {
                    "id": rep["id"],
                    "title": DEPARTMENTS[rep["id"]]["title"],
                    "contact": {"address": DEPARTMENTS[rep["id"]]["address"]},
                }
                if rep["id"] in DEPARTMENTS
                else None
            ),
            "Board": lambda rep: {"id": rep["id"], "name": f"Board {rep['id']}"},
        },
        "feedback": feedback,
        "postage": postage,
    }
