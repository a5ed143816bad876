"""Our query plans for every corpus operation, kept as reviewable golden files.

``python -m tests.federation.plans`` rewrites ``cases/*/plans/<op>.plan`` from the
current planner; ``test_plans.py`` fails when a plan changes without the goldens
being re-recorded, so every plan change shows up in review as a diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aggregator.gateway import Gateway
from aggregator.operation import RequestError
from tests.federation.harness import Case, Operation, load_cases


def plan_text(gateway: Gateway, op: Operation) -> str | None:
    """The printed plan, or None when the operation is rejected before planning."""
    try:
        plan = gateway.plan(op.query, op.operation_name, op.variables)
    except RequestError:
        return None
    return str(plan) + "\n"


def plan_path(case: Case, op: Operation) -> Path:
    return case.path / "plans" / f"{op.name}.plan"


def record(names: list[str] | None = None) -> int:
    written = 0
    for case in load_cases(names):
        gateway = Gateway.from_supergraph_sdl(case.supergraph_path.read_text())
        for op in case.operations:
            text = plan_text(gateway, op)
            path = plan_path(case, op)
            if text is None:
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
            written += 1
    return written


if __name__ == "__main__":
    print(f"{record(sys.argv[1:] or None)} plans written")
