from typing import Any

from tests.federation.subgraph import Resolvers

OFFICERS = {"B1": "Officer Kim", "B2": "Officer Lee"}


def build() -> dict[str, Resolvers]:
    submitted: list[dict[str, Any]] = []

    def submit(_: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [
            {"id": f"a{len(submitted) + i + 1}", "name": n} for i, n in enumerate(args["names"])
        ]
        submitted.extend(rows)
        return rows

    def reviewer(rep: dict[str, Any]) -> dict[str, Any]:
        n = int(rep["id"][1:])
        return {"reviewer": None if n % 3 == 0 else {"badge": f"B{n % 2 + 1}"}}

    return {
        "applications": {
            "Query.count": lambda _, __: len(submitted),
            "Mutation.submitBatch": submit,
        },
        "review": {"Application": reviewer},
        "officers": {"Officer": lambda rep: {"name": OFFICERS[rep["badge"]]}},
    }
