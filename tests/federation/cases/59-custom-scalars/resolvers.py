"""Custom scalars pass through the gateway untouched: objects, lists, odd numbers, unicode."""

from typing import Any

from tests.federation.subgraph import Resolvers

RECORDS = [
    {
        "id": "1",
        "createdAt": "2024-01-02T03:04:05Z",
        "payload": {"b": 1, "a": [1, 2.5, None, True], "nested": {"z": "é", "y": "😀"}},
    },
    {"id": "2", "createdAt": "2024-02-29T00:00:00Z", "payload": None},
    {"id": "3", "createdAt": "2023-12-31T23:59:59Z", "payload": "plain string"},
]


def records(_: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    since = args.get("since")
    rows = [r for r in RECORDS if since is None or r["createdAt"] >= since]
    wanted = (args.get("filter") or {}).get("ids")
    return [r for r in rows if wanted is None or r["id"] in wanted]


def build() -> dict[str, Resolvers]:
    return {
        "records": {"Query.records": records, "Query.echo": lambda _, a: a.get("value")},
        "audit": {
            "Record": lambda rep: {
                "meta": {"source": "audit", "rev": int(rep["id"]) * 1.5, "tags": ["x", {"k": None}]}
            },
            "Record.reviewedAt": lambda r, a: (
                None if r["id"] == "2" else f"2024-03-0{r['id']}T10:00:00 {a['tz']}"
            ),
        },
    }
