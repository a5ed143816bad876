from tests.federation.subgraph import Resolvers

STATUS = {"healthy": True, "version": "2.1"}


def build() -> dict[str, Resolvers]:
    return {
        "status": {"Query.serviceStatus": lambda _, __: STATUS, "Query.region": lambda _, __: "eu"},
        "notices": {
            "Query.serviceStatus": lambda _, __: STATUS,
            "Query.notices": lambda _, __: ["maintenance at 02:00"],
        },
    }
