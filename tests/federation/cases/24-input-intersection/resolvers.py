import json
from typing import Any

from tests.federation.subgraph import Resolvers


def echo(prefix: str) -> Any:
    return lambda _, args: [prefix, json.dumps(args["filter"], sort_keys=True)]


def build() -> dict[str, Resolvers]:
    return {
        "search": {"Query.findPeople": echo("people")},
        "archive": {"Query.findRecords": echo("records")},
    }
