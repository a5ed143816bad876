"""Our linear field-merging check gives graphql-core's verdicts, and graphql-core's words.

Two oracles, both graphql-core: its ``OverlappingFieldsCanBeMergedRule`` alone for the
verdict of the merging check, and its full rule set for the whole validation (messages,
locations and order included). Documents come from the federation corpus (every
operation of every case) and from a generator that aims for collisions: a few aliases
shared by fields of different types, type conditions on exclusive and overlapping
types, arguments that differ, and fragments spread in several places.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import GraphQLError, GraphQLSchema, build_schema, parse, validate
from graphql.language import DocumentNode
from graphql.validation import OverlappingFieldsCanBeMergedRule, specified_rules
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.supergraph import load
from aggregator.validation import find_conflict, validate_document
from aggregator.validation.graphql_js import FieldMergingLikeGraphqlJs

# graphql-core's rules with field merging reported per selection set, as graphql-js (and so
# Apollo Gateway and Hive Gateway) report it: the messages and their count clients see
GRAPHQL_JS_RULES = tuple(
    FieldMergingLikeGraphqlJs if rule is OverlappingFieldsCanBeMergedRule else rule
    for rule in specified_rules
)

CASES = Path(__file__).parents[1] / "federation" / "cases"


def _messages(errors: list[GraphQLError]) -> list[tuple[str, object]]:
    return [(e.message, e.locations) for e in errors]


def _agrees(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Asserts both oracles; returns whether graphql-core saw a merging conflict."""
    reference = validate(schema, document, [OverlappingFieldsCanBeMergedRule])
    conflict = find_conflict(schema, document)
    assert (conflict is not None) == bool(reference), (conflict, _messages(reference))
    expected = validate(schema, document, GRAPHQL_JS_RULES)
    assert _messages(validate_document(schema, document)) == _messages(expected)
    return bool(reference)


def _corpus() -> list[tuple[str, Path, str]]:
    out = []
    for case in sorted(CASES.iterdir()):
        operations = json.loads((case / "operations.json").read_text())
        out.extend((f"{case.name}/{op['name']}", case, op["query"]) for op in operations)
    return out


@pytest.mark.parametrize("case", sorted(CASES.iterdir()), ids=lambda p: p.name)
def test_federation_corpus_verdicts_match_graphql_core(case: Path) -> None:
    schema = load((case / "supergraph.graphql").read_text()).api_schema
    for operation in json.loads((case / "operations.json").read_text()):
        try:
            document = parse(operation["query"])
        except GraphQLError:
            continue  # parse errors never reach validation
        _agrees(schema, document)


SCHEMA = build_schema(
    """
    interface Pet { name: String! owner: Person }
    type Dog implements Pet {
      name: String! owner: Person barks: Boolean size: Int tags: [String]
    }
    type Cat implements Pet {
      name: String! owner: Person meows: Boolean size: String tags: [String!]
    }
    type Person {
      id: ID! name: String size: Int
      friends(first: Int, after: String): [Person]
      pet: Pet things: [Thing] best: Person
    }
    union Thing = Dog | Cat | Person
    type Query { person(id: ID): Person pets: [Pet] things(kind: String): [Thing] me: Person }
    """
)
_FIELDS = {
    "Query": ["person", "pets", "things", "me"],
    "Person": ["id", "name", "size", "friends", "pet", "things", "best"],
    "Pet": ["name", "owner", "__typename"],
    "Dog": ["name", "owner", "barks", "size", "tags"],
    "Cat": ["name", "owner", "meows", "size", "tags"],
    "Thing": ["__typename"],
}
_RETURNS = {
    "person": "Person",
    "me": "Person",
    "friends": "Person",
    "best": "Person",
    "owner": "Person",
    "pets": "Pet",
    "pet": "Pet",
    "things": "Thing",
}
_ARGUMENTS = {
    "person": ["", '(id: "1")', '(id: "2")'],
    "friends": [
        "",
        "(first: 1)",
        "(first: 2)",
        '(first: 1, after: "x")',
        "(first: $n)",
        "(first: $m)",
        '(after: "x", first: 1)',
    ],
    "things": ["", '(kind: "a")'],
}
_ALIASES = [None, None, "a", "b", "size", "name"]
_CONDITIONS = [None, "Dog", "Cat", "Pet", "Person", "Thing"]
_FRAGMENTS = {"F0": "Dog", "F1": "Pet", "F2": "Person"}


def _selection_set(draw: st.DrawFn, parent: str, depth: int) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["field", "field", "field", "inline", "spread"]))
        if kind == "inline" and depth > 0:
            condition = draw(st.sampled_from(_CONDITIONS))
            inner = condition or parent
            head = f"... on {condition} " if condition else "... "
            parts.append(head + _selection_set(draw, inner, depth - 1))
        elif kind == "spread":
            parts.append("..." + draw(st.sampled_from(sorted(_FRAGMENTS))))
        else:
            name = draw(st.sampled_from(_FIELDS[parent]))
            alias = draw(st.sampled_from(_ALIASES))
            text = (f"{alias}: " if alias else "") + name
            text += draw(st.sampled_from(_ARGUMENTS.get(name, [""])))
            returns = _RETURNS.get(name)
            if returns is not None:
                if depth == 0:
                    text += " { __typename }"
                else:
                    text += " " + _selection_set(draw, returns, depth - 1)
            parts.append(text)
    return "{ " + " ".join(parts) + " }"


@st.composite
def documents(draw: st.DrawFn) -> str:
    body = "query Q($n: Int, $m: Int) " + _selection_set(draw, "Query", draw(st.integers(1, 3)))
    fragments = " ".join(
        f"fragment {name} on {condition} {_selection_set(draw, condition, 1)}"
        for name, condition in sorted(_FRAGMENTS.items())
    )
    return f"{body} {fragments}"


@settings(
    max_examples=250,
    derandomize=True,  # the same documents on every run: CI stays reproducible
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(documents())
def test_generated_documents_verdicts_match_graphql_core(text: str) -> None:
    _agrees(SCHEMA, parse(text))


def test_the_generator_makes_both_mergeable_and_conflicting_documents() -> None:
    seen = {True: 0, False: 0}

    @settings(max_examples=150, derandomize=True, deadline=None, database=None)
    @given(documents())
    def count(text: str) -> None:
        seen[_agrees(SCHEMA, parse(text))] += 1

    count()
    assert seen[True] >= 10, seen
    assert seen[False] >= 10, seen


@pytest.mark.parametrize(
    ("query", "conflicting"),
    [
        ("{ " + "me { id } " * 1600 + "}", False),
        ("{ " + " ".join(f"a{i}: pets {{ name }}" for i in range(1500)) + " }", False),
        ("{ " + " ".join(f"a: me {{ f{i}: id }}" for i in range(1500)) + " }", False),
        ("{ " + "me { id } " * 1600 + "me { id: name } }", True),
        (
            "{ pets { "
            + " ".join("... on Dog { size }" for _ in range(500))
            + " ... on Cat { size } } }",
            True,
        ),
    ],
    ids=[
        "duplicates",
        "aliases",
        "merged-sub-selections",
        "duplicates-and-one-conflict",
        "exclusive-types-of-different-shape",
    ],
)
def test_hostile_shapes_get_graphql_cores_verdict(query: str, conflicting: bool) -> None:
    document = parse(query, max_tokens=100_000)
    assert (find_conflict(SCHEMA, document) is not None) is conflicting
    errors = validate_document(SCHEMA, document)
    assert bool(errors) is conflicting
    if conflicting:
        assert errors[0].message.startswith("Fields ")
