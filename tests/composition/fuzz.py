"""Random differential testing of composition against @apollo/composition.

Generates random subgraph sets (``fuzz_generator.py``), composes each with
Apollo (``tests/oracle/compose_many.mjs``, one node process per batch) and
with ``aggregator.composition``, and reports every disagreement: a semantic
supergraph difference (see ``semantic.py``), a different set of error codes,
or a supergraph of ours that Apollo Gateway refuses to load.

    (cd tests/oracle && npm ci)
    .venv/bin/python tests/composition/fuzz.py --start 0 --count 2000 [--keep DIR]

A seed that disagrees is a bug to fix or a rule to learn; a seed worth
keeping can be copied into cases/ as ``gen_<seed>`` (``--keep`` writes each
seed's subgraphs and Apollo's outcome in the layout of ``cases/``).
``test_fuzz.py`` runs a fixed seed range of this in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aggregator.composition import (
    CompositionResult,
    CompositionSuccess,
    SubgraphSource,
    compose,
)
from tests.composition.apollo import apollo_compose, gateway_load_errors
from tests.composition.fuzz_generator import generate
from tests.composition.semantic import differences

BATCH = 250


def _compare(ours: CompositionResult, apollo: dict[str, Any]) -> str | None:
    if "supergraph" in apollo:
        if not isinstance(ours, CompositionSuccess):
            return f"Apollo composes, we reject: {[e.message for e in ours.errors]}"
        found = differences(ours.supergraph_sdl, apollo["supergraph"])
        return "\n".join(found) if found else None
    expected = {e["code"] for e in apollo["errors"]}
    codes = set() if isinstance(ours, CompositionSuccess) else {str(e.code) for e in ours.errors}
    return None if codes == expected else f"Apollo codes {sorted(expected)}, ours {sorted(codes)}"


def _keep(folder: Path, subgraphs: dict[str, str], apollo: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, sdl in subgraphs.items():
        (folder / f"{name}.graphql").write_text(sdl)
    if "supergraph" in apollo:
        (folder / "expected.graphql").write_text(apollo["supergraph"] + "\n")
    else:
        (folder / "expected-errors.json").write_text(json.dumps(apollo["errors"], indent=2) + "\n")


@dataclass(frozen=True)
class Outcome:
    #: seed -> how our composition differs from Apollo's for that seed's set
    problems: dict[int, str]
    #: how many of the sets Apollo composes (the rest it rejects)
    valid: int


def disagreements(
    seeds: Iterable[int], fed1_share: float = 0.15, keep: Path | None = None
) -> Outcome:
    """Compose each seed's set both ways (and load ours in Apollo Gateway)."""
    sets = {str(seed): generate(seed, fed1_share) for seed in seeds}
    apollo = apollo_compose(sets)
    problems: dict[int, str] = {}
    composed: dict[str, str] = {}
    for name, subgraphs in sets.items():
        if keep is not None:
            _keep(keep / f"seed_{name}", subgraphs, apollo[name])
        sources = [
            SubgraphSource(n, f"http://{n}.local/graphql", sdl)
            for n, sdl in sorted(subgraphs.items())
        ]
        ours = compose(sources)
        problem = _compare(ours, apollo[name])
        if problem:
            problems[int(name)] = problem
        elif isinstance(ours, CompositionSuccess):
            composed[name] = ours.supergraph_sdl
    for name, errors in gateway_load_errors(composed).items():
        if errors:
            problems[int(name)] = f"Apollo Gateway refuses our supergraph: {errors}"
    return Outcome(problems, sum("supergraph" in a for a in apollo.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="folder to write each seed's files in")
    parser.add_argument(
        "--fed1-share",
        type=float,
        default=0.15,
        help="chance that a subgraph is written as a Federation 1 subgraph",
    )
    args = parser.parse_args()
    total = valid = 0
    seeds = list(range(args.start, args.start + args.count))
    for i in range(0, len(seeds), BATCH):
        outcome = disagreements(seeds[i : i + BATCH], args.fed1_share, args.keep)
        for seed, problem in sorted(outcome.problems.items()):
            print(f"seed {seed}: {problem}", flush=True)
        total += len(outcome.problems)
        valid += outcome.valid
    print(f"{total} disagreements in {args.count} seeds ({valid} sets Apollo composes)")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
