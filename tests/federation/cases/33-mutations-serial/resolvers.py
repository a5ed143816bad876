"""Every mutation takes the next number from one counter shared by both subgraphs.

The numbers in the response prove the gateway ran the top-level mutation
fields one after another, in document order, even across subgraphs.
"""

from typing import Any

from tests.federation.subgraph import Resolvers


def build() -> dict[str, Resolvers]:
    log: list[str] = []
    balances: dict[str, int] = {}

    def step(entry: str) -> int:
        log.append(entry)
        return len(log)

    def open_account(_: Any, args: dict[str, Any]) -> dict[str, Any]:
        seq = step(f"open {args['name']}")
        return {"id": f"acc{seq}", "name": args["name"], "sequence": seq}

    def deposit(_: Any, args: dict[str, Any]) -> dict[str, Any]:
        seq = step(f"deposit {args['amount']} to {args['account']}")
        balances[args["account"]] = balances.get(args["account"], 0) + args["amount"]
        return {"sequence": seq, "amount": args["amount"], "account": {"id": args["account"]}}

    def close_account(_: Any, args: dict[str, Any]) -> bool:
        step(f"close {args['id']}")
        return True

    return {
        "accounts": {
            "Query.log": lambda _, __: log,
            "Mutation.openAccount": open_account,
            "Mutation.closeAccount": close_account,
            "Account": lambda rep: {"name": "n/a", "sequence": 0},
        },
        "payments": {
            "Mutation.deposit": deposit,
            "Account": lambda rep: {},
            "Account.balance": lambda a, _: balances.get(a["id"], 0),
        },
    }
