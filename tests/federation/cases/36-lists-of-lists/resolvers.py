from typing import Any

from tests.federation.subgraph import Resolvers


def cell(i: int) -> dict[str, Any]:
    return {"id": f"c{i}", "x": i}


def paint(rep: dict[str, Any]) -> dict[str, Any]:
    n = int(rep["id"][1:])
    return {"colour": ["red", "green", "blue"][n % 3], "tags": [["t"] * (n % 2), ["u", str(n)]]}


def build() -> dict[str, Resolvers]:
    return {
        "grid": {
            "Query.board": lambda _, __: [[cell(0), cell(1)], [], [cell(2), cell(0), cell(3)]],
            "Query.sparse": lambda _, __: [[cell(4), None], None, [None], [cell(1)]],
            "Query.matrix": lambda _, __: [[1, 2], [3], []],
        },
        "paint": {"Cell": paint},
    }
