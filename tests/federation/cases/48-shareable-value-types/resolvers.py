from tests.federation.subgraph import Resolvers

EUR = {"code": "EUR", "symbol": "€"}
GBP = {"code": "GBP", "symbol": "£"}
FEES = [
    {"label": "passport", "amount": {"value": 85, "currency": EUR}},
    {"label": "licence", "amount": {"value": 40, "currency": GBP}},
]
FINES = [{"value": 120, "currency": EUR}, {"value": 30, "currency": GBP}]


def build() -> dict[str, Resolvers]:
    return {
        "fees": {"Query.fees": lambda _, __: FEES},
        "fines": {"Query.fines": lambda _, __: FINES, "Query.largestFine": lambda _, __: FINES[0]},
    }
