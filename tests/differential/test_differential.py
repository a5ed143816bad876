"""A fixed seed range of the random differential tester (runner.py) runs with every test
run: about a minute; ``tests/differential/run --seeds 0:5000`` is the long run.

Operations where Apollo Gateway and Hive Gateway agree must get the same answer from
ours; where they disagree nothing is asserted (the run reports them).
"""

from __future__ import annotations

import json

import pytest

from tests.differential.runner import canonical, run
from tests.differential.world import generate, subgraph_sdl

SEEDS = range(32)
OPERATIONS = 8


@pytest.mark.asyncio
@pytest.mark.timeout(300)
async def test_agrees_with_apollo_and_hive_where_they_agree() -> None:
    summary = await run(SEEDS, OPERATIONS)
    details = "\n".join(json.dumps(f.to_json())[:2000] for f in summary.mismatches[:5])
    assert not summary.mismatches, f"{summary.line()}\n{details}"
    assert not summary.skipped, summary.line()
    # the comparison is not vacuous: sets compose, operations run, the oracles mostly agree
    assert summary.composed >= len(SEEDS) * 0.9, summary.line()
    assert summary.operations >= summary.composed * OPERATIONS * 0.9, summary.line()
    assert summary.agreed >= summary.operations * 0.7, summary.line()


def test_worlds_are_deterministic_and_varied() -> None:
    assert subgraph_sdl(generate(7), "s0") == subgraph_sdl(generate(7), "s0")
    features = set()
    for seed in SEEDS:
        world = generate(seed)
        text = "\n".join(subgraph_sdl(world, g) for g in world.subgraphs)
        for marker in (
            "@requires",
            "@provides",
            "@override",
            "@interfaceObject",
            "union ",
            "interface Named",
            "resolvable: false",
            "meta { code }",
            "id sku",
        ):
            if marker in text:
                features.add(marker)
    assert len(features) == 9, features


def test_canonical_form_compares_data_and_error_paths() -> None:
    a = {"data": {"x": 1.0}, "errors": [{"message": "one", "path": ["x"]}]}
    b = {"data": {"x": 1}, "errors": [{"message": "other words", "path": ["x"]}]}
    assert canonical(a) == canonical(b)
    assert canonical({"data": None}) != canonical({"errors": [{"message": "m"}]})
    assert canonical({"data": {"x": 1}}) != canonical({"data": {"x": 2}})
