from tests.federation.subgraph import Resolvers


def build() -> dict[str, Resolvers]:
    return {
        "lists": {
            "Query.none": lambda _, __: [],
            "Query.allNull": lambda _, __: [None, None],
            "Query.maybe": lambda _, __: None,
            "Query.single": lambda _, __: None,
        },
        "details": {"Thing": lambda rep: {"label": f"thing {rep['id']}"}},
    }
