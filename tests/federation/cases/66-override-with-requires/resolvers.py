"""`baseAmount` moved to `modern`; legacy still answers a stale 0, so a wrong owner shows."""

from tests.federation.subgraph import Resolvers, lookup

LEGACY = [{"id": "b1", "baseAmount": 0}, {"id": "b2", "baseAmount": 0}]
MODERN = [
    {"id": "b1", "baseAmount": 1200, "indexation": 1.02},
    {"id": "b2", "baseAmount": 600, "indexation": 1.0},
]


def build() -> dict[str, Resolvers]:
    return {
        "legacy": {"Query.benefits": lambda _, __: LEGACY, "Benefit": lookup(LEGACY, "id")},
        "modern": {"Benefit": lookup(MODERN, "id")},
        "payout": {"Benefit.monthly": lambda b, _: b["baseAmount"] // 12},
    }
