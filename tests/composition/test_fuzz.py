"""A fixed range of random subgraph sets, composed by Apollo and by us (see ``fuzz.py``).

The generator leans toward the shapes that were once wrongly rejected or
wrongly accepted (nested keys, interfaces spread over subgraphs,
@interfaceObject, @provides on abstract types, @requires of fields with
arguments, @override of used fields, Federation 1 extensions), so a
regression in any of them is likely to show in this range. Longer runs:
``tests/composition/fuzz.py --start N --count M``.
"""

from __future__ import annotations

from tests.composition.fuzz import disagreements

SEEDS = range(150)


def test_random_sets_compose_like_apollo_and_load_in_apollo_gateway() -> None:
    outcome = disagreements(SEEDS)
    assert outcome.problems == {}
    # both outcomes are compared: enough sets compose, enough are rejected
    assert 40 <= outcome.valid <= len(SEEDS) - 40
