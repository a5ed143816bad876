from tests.federation.subgraph import Resolvers, lookup

LICENCES = [
    {"__typename": "DrivingLicence", "id": "d1", "holder": "Ann", "classes": ["B", "C"]},
    {"__typename": "FishingLicence", "id": "f1", "holder": "Ben"},
    {"__typename": "DrivingLicence", "id": "d2", "holder": "Cy", "classes": []},
]
FEES = [
    {"id": "d1", "fee": 80},
    {"id": "f1", "fee": 15, "waters": ["lake"]},
    {"id": "d2", "fee": 60},
]


def build() -> dict[str, Resolvers]:
    return {
        "registry": {"Query.licences": lambda _, __: LICENCES},
        "fees": {"DrivingLicence": lookup(FEES, "id"), "FishingLicence": lookup(FEES, "id")},
    }
