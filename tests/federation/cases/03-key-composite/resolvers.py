from tests.federation.subgraph import Resolvers, lookup

ACCOUNTS = [
    {"number": "001", "agency": "TAX", "holder": "Ada"},
    {"number": "001", "agency": "HEALTH", "holder": "Brian"},
    {"number": "002", "agency": "TAX", "holder": "Chen"},
]
BALANCES = [
    {"number": "001", "agency": "TAX", "balance": 10.5, "currency": "EUR"},
    {"number": "001", "agency": "HEALTH", "balance": -3.25, "currency": "EUR"},
    {"number": "002", "agency": "TAX", "balance": 0.0, "currency": "USD"},
]


def build() -> dict[str, Resolvers]:
    return {
        "accounts": {
            "Query.accounts": lambda _, __: ACCOUNTS,
            "Account": lookup(ACCOUNTS, "number", "agency"),
        },
        "balances": {"Account": lookup(BALANCES, "number", "agency")},
    }
