"""Differential tests: our composition against @apollo/composition's recorded output.

Each folder under ``cases/`` holds subgraph SDLs (file name = subgraph name)
and either ``expected.graphql`` (Apollo's supergraph, compared semantically,
see ``semantic.py``) or ``expected-errors.json`` (Apollo's error codes,
compared as a set). Re-record with ``tests/composition/record.py``.

Matching Apollo's supergraph is not enough: the join metadata must also be
what Apollo Gateway accepts, so every supergraph we compose for a valid case
is loaded by Apollo Gateway itself (one node process for all cases).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.composition import (
    CompositionFailure,
    CompositionSuccess,
    SubgraphSource,
    compose,
)
from tests.composition.apollo import gateway_load_errors
from tests.composition.semantic import differences

CASES = Path(__file__).parent / "cases"
ALL = sorted(p.name for p in CASES.iterdir() if p.is_dir())
VALID = [c for c in ALL if (CASES / c / "expected.graphql").exists()]
INVALID = [c for c in ALL if (CASES / c / "expected-errors.json").exists()]


def _sources(case: str) -> list[SubgraphSource]:
    return [
        SubgraphSource(p.stem, f"http://{p.stem}.local/graphql", p.read_text())
        for p in sorted((CASES / case).glob("*.graphql"))
        if p.name != "expected.graphql"
    ]


def test_enough_cases_recorded() -> None:
    assert len(VALID) >= 30
    assert len(INVALID) >= 12


@pytest.mark.parametrize("case", VALID)
def test_valid_case_matches_apollo(case: str) -> None:
    result = compose(_sources(case))
    assert isinstance(result, CompositionSuccess), [e.message for e in result.errors]
    expected = (CASES / case / "expected.graphql").read_text()
    assert differences(result.supergraph_sdl, expected) == []


@pytest.fixture(scope="module")
def gateway_verdicts() -> dict[str, list[str]]:
    """Case -> Apollo Gateway's load errors for the supergraph we compose."""
    ours = {}
    for case in VALID:
        result = compose(_sources(case))
        if isinstance(result, CompositionSuccess):
            ours[case] = result.supergraph_sdl
    return gateway_load_errors(ours)


@pytest.mark.parametrize("case", VALID)
def test_valid_case_loads_in_apollo_gateway(
    case: str, gateway_verdicts: dict[str, list[str]]
) -> None:
    assert case in gateway_verdicts, "we do not compose this case"
    assert gateway_verdicts[case] == []


@pytest.mark.parametrize("case", INVALID)
def test_invalid_case_rejected_like_apollo(case: str) -> None:
    result = compose(_sources(case))
    assert isinstance(result, CompositionFailure), "composition unexpectedly succeeded"
    expected = json.loads((CASES / case / "expected-errors.json").read_text())
    assert {e.code for e in result.errors} == {e["code"] for e in expected}
    names = {s.name for s in _sources(case)}
    for error in result.errors:
        assert any(f'"{n}"' in error.message or f"[{n}]" in error.message for n in names), (
            error.message
        )
