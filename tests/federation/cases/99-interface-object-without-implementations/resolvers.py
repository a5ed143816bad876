"""An entity interface with no implementation, served as an @interfaceObject elsewhere.

`Node` has no object type anywhere: extras can still serve `other { id label }`
as an @interfaceObject without knowing a concrete type, while core's `thing`
can never return a valid value. (A field of `Product` kept only behind a
`resolvable: false` @interfaceObject key does not compose at all: unsatisfiable.)
"""

from tests.federation.subgraph import Resolvers


def build() -> dict[str, Resolvers]:
    return {
        "core": {
            "Query.thing": lambda _, __: {"__typename": "Node", "id": "n1"},
            "Query.product": lambda _, __: {"__typename": "Bread", "id": "b1"},
            "Bread": lambda rep: {"__typename": "Bread", "id": rep["id"]},
        },
        "extras": {
            "Query.other": lambda _, __: {"id": "n1", "label": "first"},
            "Node": lambda rep: {"id": rep["id"], "label": "first"},
        },
    }
