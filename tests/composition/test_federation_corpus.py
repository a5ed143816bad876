"""The federation conformance corpus, composed by us instead of by Apollo.

Every case under ``tests/federation/cases`` is a valid subgraph set whose
``supergraph.graphql`` was composed by ``@apollo/composition`` (through
``tests/oracle/compose.mjs``, which names each subgraph's URL
``http://<name>.subgraph.invalid/graphql``). These sets were written for
execution behaviours, independently of the composition corpus, so they are a
second, unbiased sample of what schema authors write: ours must compose
each into the same supergraph and Apollo Gateway must load what we write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.composition import CompositionSuccess, SubgraphSource, compose
from tests.composition.apollo import gateway_load_errors
from tests.composition.semantic import differences

CASES = Path(__file__).parent.parent / "federation" / "cases"
ALL = sorted(p.name for p in CASES.iterdir() if (p / "supergraph.graphql").exists())


def _compose(case: str) -> str | list[str]:
    sources = [
        SubgraphSource(p.stem, f"http://{p.stem}.subgraph.invalid/graphql", p.read_text())
        for p in sorted((CASES / case).glob("*.graphql"))
        if p.name != "supergraph.graphql"
    ]
    result = compose(sources)
    if isinstance(result, CompositionSuccess):
        return result.supergraph_sdl
    return [e.message for e in result.errors]


@pytest.fixture(scope="module")
def composed() -> dict[str, str | list[str]]:
    return {case: _compose(case) for case in ALL}


@pytest.fixture(scope="module")
def gateway_verdicts(composed: dict[str, str | list[str]]) -> dict[str, list[str]]:
    return gateway_load_errors({c: sdl for c, sdl in composed.items() if isinstance(sdl, str)})


def test_corpus_is_there() -> None:
    assert len(ALL) >= 100


@pytest.mark.parametrize("case", ALL)
def test_composes_like_apollo(case: str, composed: dict[str, str | list[str]]) -> None:
    ours = composed[case]
    assert isinstance(ours, str), ours
    assert differences(ours, (CASES / case / "supergraph.graphql").read_text()) == []


@pytest.mark.parametrize("case", ALL)
def test_loads_in_apollo_gateway(case: str, gateway_verdicts: dict[str, list[str]]) -> None:
    assert gateway_verdicts.get(case, ["not composed"]) == []
