from tests.federation.subgraph import Resolvers


def build() -> dict[str, Resolvers]:
    return {
        "alpha": {"Query.a1": lambda _, __: "alpha", "Query.a2": lambda _, a: a["n"] * 2},
        "beta": {"Query.b1": lambda _, __: ["x", "y"]},
        "gamma": {"Query.g1": lambda _, __: None},
    }
