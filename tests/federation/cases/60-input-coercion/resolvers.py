import json
from typing import Any

from tests.federation.subgraph import Resolvers


def search(_: Any, args: dict[str, Any]) -> list[str]:
    return [f"{k}={json.dumps(v, sort_keys=True)}" for k, v in sorted(args.items())]


def build() -> dict[str, Resolvers]:
    return {
        "search": {"Query.search": search},
        "other": {"Query.ping": lambda _, a: a["times"]},
    }
