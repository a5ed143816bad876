"""Every corpus operation's plan matches its reviewed golden (see plans.py)."""

from __future__ import annotations

import pytest

from aggregator.gateway import Gateway
from tests.federation.harness import Case, Operation, load_cases
from tests.federation.plans import plan_path, plan_text

CASES = load_cases()
PAIRS = [(case, op) for case in CASES for op in case.operations]


@pytest.mark.parametrize(
    ("case", "op"), PAIRS, ids=[f"{case.name}/{op.name}" for case, op in PAIRS]
)
def test_plan_matches_golden(case: Case, op: Operation) -> None:
    gateway = Gateway.from_supergraph_sdl(case.supergraph_path.read_text())
    text = plan_text(gateway, op)
    path = plan_path(case, op)
    if text is None:
        assert not path.exists(), f"{path} exists but the operation is now rejected"
        return
    assert path.exists(), f"no golden plan: run python -m tests.federation.plans {case.name}"
    assert text == path.read_text()


def test_plans_exist_for_most_operations() -> None:
    planned = sum(1 for case, op in PAIRS if plan_path(case, op).exists())
    assert planned >= 0.8 * len(PAIRS)
