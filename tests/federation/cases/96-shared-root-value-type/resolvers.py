"""A value type (no key) served whole by nobody: each subgraph owns one of its fields.

`Notice` has no @key, so no entity call can complete it. The only plan is to
call the shared root field in every subgraph that owns a requested field, in
parallel, and merge the answers position by position.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

NOTICES = [
    {
        "id": "n1",
        "title": "Road closure",
        "category": "transport",
        "fee": {"amount": 0, "currency": "EUR"},
    },
    {
        "id": "n2",
        "title": "Market licence",
        "category": "trade",
        "fee": {"amount": 40, "currency": "EUR"},
    },
]


def _only(field: str) -> tuple[Any, Any]:
    def one(_: Any, __: Any) -> dict[str, Any]:
        return {"id": NOTICES[0]["id"], field: NOTICES[0][field]}

    def many(_: Any, __: Any) -> list[dict[str, Any]]:
        return [{"id": n["id"], field: n[field]} for n in NOTICES]

    return one, many


def build() -> dict[str, Resolvers]:
    out: dict[str, Resolvers] = {}
    for subgraph, field in (("titles", "title"), ("categories", "category"), ("fees", "fee")):
        one, many = _only(field)
        out[subgraph] = {"Query.notice": one, "Query.notices": many}
    return out
