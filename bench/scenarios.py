"""The benchmark's data sets: which subgraph behaviour, and which answer every gateway must give.

``standard`` is the public federation benchmark as its reference subgraphs
answer it (The Guild's gateways benchmark): every ``Product`` the reviews
subgraph returns resolves its ``reviews``, so the deep query's answer is about
87.6 KB with 1,383 leaf values. ``light`` is the set this bench started with:
a product reached through ``Review.product`` carries only its key there, so
those ``reviews`` are null and the answer is 22 KB with 387 leaves — a quarter
of the work, kept to show no regression on small answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Scenario:
    name: str
    # Review.product resolves the product's reviews in the reviews subgraph (the reference
    # subgraphs do; the light set answers null there)
    product_reviews_everywhere: bool
    expected_file: Path


SCENARIOS: dict[str, Scenario] = {
    "standard": Scenario("standard", True, BENCH_DIR / "expected-response.json"),
    "light": Scenario("light", False, BENCH_DIR / "expected-response-light.json"),
}
DEFAULT_SCENARIO = "standard"


def scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}") from None
