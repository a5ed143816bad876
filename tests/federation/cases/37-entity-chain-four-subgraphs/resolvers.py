from tests.federation.subgraph import Resolvers, lookup

CITIZENS = [
    {"id": "1", "name": "Ann"},
    {"id": "2", "name": "Ben"},
    {"id": "9", "name": "Inspector"},
]
HOUSEHOLDS = [{"id": "h1", "size": 3, "property": {"parcel": "P-7"}}]
HOUSEHOLD_OF = {"1": HOUSEHOLDS[0], "2": None}
PROPERTIES = [{"parcel": "P-7", "rooms": 5}]
VALUES = [{"parcel": "P-7", "value": 350000, "assessedBy": {"id": "9"}}]


def build() -> dict[str, Resolvers]:
    return {
        "citizens": {
            "Query.citizen": lambda _, a: lookup(CITIZENS, "id")(a),
            "Citizen": lookup(CITIZENS, "id"),
        },
        "households": {
            "Citizen": lambda rep: {"household": HOUSEHOLD_OF.get(rep["id"])},
            "Household": lookup(HOUSEHOLDS, "id"),
        },
        "properties": {
            "Household": lookup(HOUSEHOLDS, "id"),
            "Household.property": lambda h, _: lookup(PROPERTIES, "parcel")(h["property"]),
            "Property": lookup(PROPERTIES, "parcel"),
        },
        "valuations": {"Property": lookup(VALUES, "parcel")},
    }
