"""The compiled projection answers exactly what the general completion answers.

Projection is compiled to one Python function per (selection set, type) where
the shape allows it and falls back to the general completion elsewhere; both
must give the same data, the same value-completion errors, in the same order,
for well-formed data and for every way subgraph data can be wrong (nulls in
non-null positions, objects where lists belong, scalars where objects belong).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aggregator.execution.projection import Projector, project
from aggregator.gateway import Gateway
from tests.gateway.conftest import SUPERGRAPH

QUERY = """
query Q {
  topProducts { upc name price reviews { id body author { id name } } }
  users { id name reviews { id product { upc name } } }
  me { __typename id ...on User { name } }
}
"""

GOOD: dict[str, Any] = {
    "topProducts": [
        {
            "__typename": "Product",
            "upc": "1",
            "name": "Table",
            "price": 899,
            "reviews": [
                {
                    "id": "1",
                    "body": "Love it!",
                    "author": {"__typename": "User", "id": "1", "name": "Ada"},
                },
                None,
            ],
        },
        None,
    ],
    "users": [
        {
            "id": "2",
            "name": "Alan",
            "reviews": [{"id": "3", "product": {"upc": "3", "name": "Chair"}}],
        }
    ],
    "me": {"__typename": "User", "id": "1", "name": "Ada", "extra": "planner key"},
}


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


# case -> (data, the value-completion error paths, (a response path, the value there))
CASES: dict[str, tuple[dict[str, Any], list[list[Any]], tuple[tuple[Any, ...], Any]]] = {
    "good": (GOOD, [], (("topProducts", 0, "reviews", 1), None)),
    "null non-null leaf in a list item": (
        _broken(("topProducts", 0, "upc"), None),
        [["topProducts", 0, "upc"]],
        (("topProducts", 0), None),
    ),
    "null non-null leaf two lists down": (
        _broken(("topProducts", 0, "reviews", 0, "id"), None),
        [["topProducts", 0, "reviews", 0, "id"]],
        (("topProducts", 0, "reviews", 0), None),
    ),
    "null non-null leaf at the root field": (
        _broken(("me", "id"), None),
        [["me", "id"]],
        (("me",), None),
    ),
    "null non-null list of a non-null field": (_broken(("users",), None), [["users"]], ((), None)),
    "null item of a non-null item list": (_broken(("users", 0), None), [["users", 0]], ((), None)),
    "object where a list belongs": (
        _broken(("topProducts", 0, "reviews"), {"id": "1"}),
        [],
        (("topProducts", 0, "reviews"), None),
    ),
    "scalar where an object belongs": (
        _broken(("topProducts", 0, "reviews", 0, "author"), "x"),
        [],
        (("topProducts", 0, "reviews", 0, "author"), None),
    ),
    "scalar list item where an object belongs": (
        _broken(("topProducts", 0, "reviews", 1), 7),
        [],
        (("topProducts", 0, "reviews", 1), None),
    ),
    "missing nested object": (
        _broken(("users", 0, "reviews", 0, "product"), None),
        [],
        (("users", 0, "reviews", 0, "product"), None),
    ),
    "empty data": ({}, [["users"]], ((), None)),
}


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@pytest.fixture(scope="module")
def planned() -> Any:
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls={})
    prepared = gateway.prepare(QUERY, "Q", None)
    return gateway.compiled(prepared.info, prepared.variables).planned, gateway.api_schema


class _GeneralOnly(Projector):
    def compiled(self, selections: Any, type_name: str) -> None:
        return None


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_projection_matches_the_general_completion(planned: Any, case: str) -> None:
    plan, schema = planned
    given, error_paths, (path, value) = CASES[case]
    answers = []
    for projector in (Projector(schema), _GeneralOnly(schema)):
        errors: list[dict[str, Any]] = []
        data, completion = project(
            projector, plan.selections, plan.root_type, copy.deepcopy(given), errors
        )
        answers.append((data, completion, errors))
    assert answers[0] == answers[1]
    data, completion, _ = answers[0]
    assert [error["path"] for error in completion] == error_paths
    assert _at(data, path) == value


def test_the_compiled_form_is_used_where_the_shape_allows(planned: Any) -> None:
    plan, schema = planned
    projector = Projector(schema)
    project(projector, plan.selections, plan.root_type, copy.deepcopy(GOOD), [])
    assert projector.compiled(plan.selections, plan.root_type) is not None
