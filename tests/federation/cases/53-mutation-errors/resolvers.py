"""Mutations that fail part-way: later top-level fields still run, in order."""

from typing import Any

from graphql import GraphQLError

from tests.federation.subgraph import Resolvers


def build() -> dict[str, Resolvers]:
    steps: list[str] = []

    def register(_: Any, args: dict[str, Any]) -> dict[str, Any]:
        steps.append(args["name"])
        if args["name"] == "bad":
            raise GraphQLError("name rejected", extensions={"code": "REJECTED"})
        return {"id": f"e{len(steps)}", "name": args["name"], "step": len(steps)}

    def audit(_: Any, args: dict[str, Any]) -> int:
        steps.append(args["note"])
        return len(steps)

    return {
        "registry": {
            "Query.entries": lambda _, __: steps,
            "Mutation.register": register,
            "Mutation.registerStrict": register,
        },
        "audit": {"Mutation.audit": audit, "Entry": lambda rep: {"audited": rep["id"] != "e1"}},
    }
