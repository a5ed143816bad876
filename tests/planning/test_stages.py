"""The planner's stages, called one by one on a supergraph model (no Gateway).

normalize -> walk -> optimize passes -> build, each a function of plain data. These
tests pin what each stage hands to the next, and that every optimisation pass keeps
the plan valid: nothing fetched is lost, no group depends on itself, and groups whose
representations would clash are never merged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from aggregator.cli import main
from aggregator.planning import normalize_operation, plan_operation, plan_stages
from aggregator.planning.build import build_plan
from aggregator.planning.fetch_groups import Group
from aggregator.planning.normalize import NField
from aggregator.planning.optimize import PASSES, merge_entity_fetches, merge_root_fetches
from aggregator.planning.walk import walk
from aggregator.supergraph import load
from aggregator.supergraph.model import SupergraphModel

CASES = Path(__file__).parent.parent / "federation" / "cases"


def model_of(case: str) -> SupergraphModel:
    path = next(CASES.glob(f"{case}*")) / "supergraph.graphql"
    return load(path.read_text()).model


def operation(text: str) -> tuple[object, OperationDefinitionNode]:
    document = parse(text)
    definition = document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return document, definition


def groups_for(model: SupergraphModel, text: str) -> list[Group]:
    document, definition = operation(text)
    normalized = normalize_operation(model, document, definition, {})  # type: ignore[arg-type]
    return walk(model, normalized.root_type, normalized.selections, serial=False)


def acyclic(groups: list[Group]) -> bool:
    return all(not group.depends_on(group) for group in groups)


def test_normalize_decides_skip_and_inlines_fragments() -> None:
    model = model_of("30-skip-include")
    document, definition = operation(
        "query($s: Boolean!) { me { ...F name @skip(if: $s) } } fragment F on User { username }"
    )
    normalized = normalize_operation(model, document, definition, {"s": True})  # type: ignore[arg-type]
    assert normalized.root_type == "Query"
    me = normalized.selections[0]
    assert isinstance(me, NField)
    assert me.selections is not None
    assert [s.name for s in me.selections if isinstance(s, NField)] == ["username"]


def test_walk_opens_a_group_per_root_field_and_jump() -> None:
    model = model_of("30-skip-include")
    groups = groups_for(model, "{ me { name reviews { body } } users { name } }")
    # two root fields of users, and one jump to reviews
    assert [(g.subgraph, g.entity) for g in groups] == [
        ("users", False),
        ("reviews", True),
        ("users", False),
    ]
    assert groups[1].deps == {groups[0]}
    assert list(groups[1].requires["User"].fields) == ["id"]


def test_root_pass_merges_root_fields_of_one_subgraph() -> None:
    model = model_of("30-skip-include")
    groups = groups_for(model, "{ me { name reviews { body } } users { name } }")
    merged = merge_root_fetches(groups)
    assert [(g.subgraph, g.entity) for g in merged] == [("users", False), ("reviews", True)]
    assert merged[0].selection.text() == "{me{name __typename id} users{name}}"
    assert merged[1].deps == {merged[0]}
    assert acyclic(merged)


def test_entity_pass_merges_jumps_to_one_subgraph_at_one_path() -> None:
    model = model_of("30-skip-include")
    text = (
        "{ products(first: 2) { a: reviews(minRating: 1) { body } "
        "b: reviews(minRating: 4) { body } } }"
    )
    groups = groups_for(model, text)
    assert [(g.subgraph, g.entity) for g in groups] == [
        ("products", False),
        ("reviews", True),
        ("reviews", True),
    ]
    merged = merge_entity_fetches(merge_root_fetches(groups))
    assert [(g.subgraph, g.entity) for g in merged] == [("products", False), ("reviews", True)]
    assert merged[1].selection.text() == (
        "{... on Product{a: reviews(minRating: 1){body} b: reviews(minRating: 4){body}}}"
    )
    assert merged[1].deps == {merged[0]}


def test_entity_pass_keeps_clashing_representations_apart() -> None:
    model = model_of("109-requires-same-field")
    groups = groups_for(model, "{ products { shippingUsd shippingEur } }")
    merged = merge_entity_fetches(merge_root_fetches(groups))
    shipping = [g for g in merged if g.subgraph == "shipping"]
    assert len(shipping) == 2
    assert {g.requires["Product"].fields["price"][0] for g in shipping} == {"price", "_ag_price_1"}


def test_entity_pass_never_merges_a_group_into_one_it_depends_on() -> None:
    root = Group(0, "a", (), 0, entity=False)
    first = Group(1, "b", ("x",), 0, entity=True, deps={root})
    middle = Group(2, "c", ("x",), 0, entity=True, deps={first})
    last = Group(3, "b", ("x",), 0, entity=True, deps={middle})
    independent = Group(4, "b", ("x",), 0, entity=True, deps={root})
    merged = merge_entity_fetches([root, first, middle, last, independent])
    assert [g.id for g in merged] == [0, 1, 2, 3], "4 joins 1; 3 needs 2, which needs 1"
    assert last.deps == {middle}
    assert acyclic(merged)


def test_requires_chain_stays_acyclic_through_every_pass() -> None:
    model = model_of("10-requires-chain")
    groups = groups_for(model, "{ items { units stockValue taxDue taxBand } }")
    for optimisation in PASSES:
        groups = optimisation(groups)
        assert acyclic(groups)
        assert all(dep in groups for group in groups for dep in group.deps)
    tax = [g for g in groups if g.subgraph == "tax"]
    valuation = [g for g in groups if g.subgraph == "valuation"]
    assert len(tax) == 1
    assert len(valuation) == 1
    assert tax[0].depends_on(valuation[0])


def test_build_lays_groups_out_as_the_gateway_plans() -> None:
    model = model_of("30-skip-include")
    text = "{ me { name reviews { body } } users { name } }"
    document, definition = operation(text)
    groups = groups_for(model, text)
    for optimisation in PASSES:
        groups = optimisation(groups)
    built = build_plan(groups, "query", None, {})
    planned = plan_operation(model, document, definition, {})  # type: ignore[arg-type]
    assert str(built) == str(planned.plan)
    assert [f.service_name for f in built.fetches()] == ["users", "reviews"]


def test_plan_stages_prints_every_stage() -> None:
    model = model_of("109-requires-same-field")
    document, definition = operation("{ products { shippingUsd shippingEur } }")
    stages = plan_stages(model, document, definition, {})  # type: ignore[arg-type]
    assert [name for name, _ in stages] == [
        "normalize",
        "walk",
        "optimize: merge_root_fetches",
        "optimize: merge_entity_fetches",
        "build",
    ]
    walked = dict(stages)["walk"]
    assert "represents Product { id _ag_price_1: price }" in walked
    assert dict(stages)["build"].startswith("QueryPlan {")


def test_plan_command_prints_stages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    supergraph = next(CASES.glob("30-skip-include*")) / "supergraph.graphql"
    query = tmp_path / "op.graphql"
    query.write_text("query($s: Boolean!) { me { name @skip(if: $s) username } }")
    code = main(
        [
            "plan",
            "--stages",
            "--supergraph",
            str(supergraph),
            str(query),
            "--variables",
            '{"s": true}',
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "== normalize\nme\n  username\n" in out
    assert "== build\nQueryPlan {" in out
