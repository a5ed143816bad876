"""Record the golden responses of every conformance case from Apollo Gateway.

Operations whose ``correct`` is ``"hive"`` (Apollo is known to be wrong there) are
also run on Hive Gateway, the second oracle, into ``expected/<op>.hive.json``.

Run from the repository root (needs node and `npm ci` in tests/oracle):
    python tests/federation/record.py                 # re-record every case
    python tests/federation/record.py 03 07-requires  # only cases whose names start so
    python tests/federation/record.py --compose       # recompose supergraphs first
    python tests/federation/record.py --compose-only  # recompose, record nothing
Each golden is written fresh; existing files are overwritten.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from tests.federation.harness import (  # noqa: E402
    ORACLE_DIR,
    Case,
    Operation,
    RunningCase,
    apollo_gateway,
    golden,
    hive_gateway,
    load_cases,
    post_operation,
    run_subgraphs,
)

PLAN_HEADER = {"Apollo-Query-Plan-Experimental": "1"}


def compose(cases: list[Case]) -> None:
    subprocess.run(
        ["node", str(ORACLE_DIR / "compose.mjs"), *[str(c.path) for c in cases]], check=True
    )


async def record_plan(
    case: Case, running: RunningCase, session: aiohttp.ClientSession, url: str, op: Operation
) -> None:
    """Ask Apollo for its query plan in a second, separate run of the operation.

    The plan header replaces the response's extensions, so it never touches the
    golden request; data is reset first so mutations plan over the same state.
    """
    running.prepare(op)
    _, body = await post_operation(session, url, op, PLAN_HEADER)
    plan = (
        (body.get("extensions") or {}).get("__queryPlanExperimental")
        if isinstance(body, dict)
        else None
    )
    if isinstance(plan, str):
        case.expected_path(op).with_suffix(".plan").write_text(plan.rstrip() + "\n")


async def record_case(case: Case) -> None:
    expected = case.path / "expected"
    expected.mkdir(exist_ok=True)
    for stale in [*expected.glob("*.json"), *expected.glob("*.plan")]:
        stale.unlink()
    async with (
        run_subgraphs(case) as running,
        apollo_gateway(case.supergraph_path, running.urls) as url,
        aiohttp.ClientSession() as session,
    ):
        for op in case.operations:
            running.prepare(op)
            status, body = await post_operation(session, url, op)
            data = golden(status, body, running.counts())
            case.expected_path(op).write_text(json.dumps(data, indent=2) + "\n")
            await record_plan(case, running, session, url, op)
            errors = len(body.get("errors", [])) if isinstance(body, dict) else "?"
            print(
                f"  {case.name}/{op.name}: HTTP {status}, errors={errors}, "
                f"subgraph requests={data['total_subgraph_requests']}"
            )
    second = [op for op in case.operations if op.correct_from == "hive"]
    if not second:
        return
    async with (
        run_subgraphs(case) as running,
        hive_gateway(case.supergraph_path, running.urls) as url,
        aiohttp.ClientSession() as session,
    ):
        for op in second:
            running.prepare(op)
            status, body = await post_operation(session, url, op)
            data = golden(status, body, running.counts())
            case.hive_path(op).write_text(json.dumps(data, indent=2) + "\n")
            print(f"  {case.name}/{op.name}: Hive Gateway (second oracle) HTTP {status}")


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", nargs="*", help="case names or name prefixes (default: all)")
    parser.add_argument("--compose", action="store_true", help="recompose supergraphs first")
    parser.add_argument("--compose-only", action="store_true", help="recompose, record nothing")
    args = parser.parse_args(argv)
    cases = load_cases(args.cases or None)
    if args.compose or args.compose_only:
        compose(cases)
    if args.compose_only:
        return
    for case in cases:
        print(case.name)
        await record_case(case)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
