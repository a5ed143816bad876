from tests.federation.subgraph import Resolvers, lookup

ITEMS = [
    {"id": "i1", "units": 3, "unitPrice": 10},
    {"id": "i2", "units": 0, "unitPrice": 99},
    {"id": "i3", "units": 12, "unitPrice": 250},
]


def build() -> dict[str, Resolvers]:
    return {
        "inventory": {"Query.items": lambda _, __: ITEMS, "Item": lookup(ITEMS, "id")},
        "valuation": {"Item.stockValue": lambda i, _: i["units"] * i["unitPrice"]},
        "tax": {
            "Item.taxDue": lambda i, _: i["stockValue"] // 5,
            "Item": lambda rep: {"taxBand": "high" if rep["id"] == "i3" else "low"},
        },
    }
