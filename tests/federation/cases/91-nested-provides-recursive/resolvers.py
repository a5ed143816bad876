"""@provides two list levels deep into a recursive entity type.

topics' `services` provides `topics { id name subTopics { id name } }`, so a
query staying inside that selection needs one fetch and no entity call; the
reference resolvers of catalogue and topics fail when called, which shows any
needless entity fetch. Going one level deeper than provided needs subtopics
for `subTopics` and topics again for the deeper `name`.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

TOPICS = {
    "t1": {"name": "Housing", "sub": ["t2"]},
    "t2": {"name": "Grants", "sub": ["t3"]},
    "t3": {"name": "Energy", "sub": ["t1"]},
}
SERVICES = {"s1": ["t1", "t2"], "s2": ["t3", "t2"]}


def _topic(tid: str, depth: int) -> dict[str, Any]:
    row: dict[str, Any] = {"id": tid, "name": TOPICS[tid]["name"]}
    if depth:
        row["subTopics"] = [_topic(s, depth - 1) for s in TOPICS[tid]["sub"]]
    return row


def _refuse(rep: dict[str, Any]) -> Exception:
    return ValueError(f"entity call for {rep.get('id')} is not needed: the data was provided")


def build() -> dict[str, Resolvers]:
    return {
        "catalogue": {"Service": _refuse},
        "topics": {
            "Query.services": lambda _, __: [
                {"id": sid, "topics": [_topic(t, 1) for t in tids]}
                for sid, tids in SERVICES.items()
            ],
            "Service": _refuse,
            "Topic": lambda rep: {"id": rep["id"], "name": TOPICS[rep["id"]]["name"]},
        },
        "subtopics": {
            "Service": lambda rep: {"id": rep["id"], "topics": SERVICES[rep["id"]]},
            "Service.topics": lambda s, _: [{"id": t} for t in s["topics"]],
            "Topic": lambda rep: {"id": rep["id"]},
            "Topic.subTopics": lambda t, _: [{"id": s} for s in TOPICS[t["id"]]["sub"]],
        },
    }
