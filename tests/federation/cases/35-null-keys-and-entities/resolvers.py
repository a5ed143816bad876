from tests.federation.subgraph import Resolvers, lookup

VEHICLES = [
    {"plate": "A1", "owner": {"id": "o1"}, "insurer": {"code": "AXA"}},
    {"plate": "B2", "owner": None, "insurer": {"code": "GONE"}},
    {"plate": "C3", "owner": {"id": "o404"}, "insurer": None},
    None,
    {"plate": "D4", "owner": {"id": "o2"}, "insurer": {"code": "AXA"}},
]
OWNERS = [
    {"id": "o1", "name": "Ann", "licence": "L-1"},
    {"id": "o2", "name": None, "licence": "L-2"},
]
INSURERS = [{"code": "AXA", "name": "Axa"}]


def build() -> dict[str, Resolvers]:
    return {
        "registry": {"Query.vehicles": lambda _, __: VEHICLES},
        "details": {"Owner": lookup(OWNERS, "id"), "Insurer": lookup(INSURERS, "code")},
    }
