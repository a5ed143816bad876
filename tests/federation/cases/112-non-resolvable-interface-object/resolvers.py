"""A non-resolvable `@interfaceObject` (issue 13, behaviour 7).

labels serves `Product` as an `@interfaceObject` whose key is `resolvable: false`:
nobody can enter labels for a product, but labels' own roots (`featured`,
`catalogue`) answer `Product` fields it holds, and the concrete type comes from
bakery through bakery's key. `Node` is an entity interface no object type
implements: bakery's `thing`/`things` can never return a valid value, while labels
serves `other` as an `@interfaceObject` without knowing a concrete type.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

PRODUCTS: dict[str, dict[str, Any]] = {
    "p1": {"__typename": "Bread", "id": "p1", "flour": "rye"},
    "p2": {"__typename": "Cake", "id": "p2", "layers": 3},
}
NAMES = {"p1": "Dark rye", "p2": "Birthday cake"}


def build() -> dict[str, Resolvers]:
    return {
        "bakery": {
            "Query.thing": lambda _, __: {"__typename": "Node", "id": "n1"},
            "Query.things": lambda _, __: [],
            "Product": lambda rep: PRODUCTS.get(rep["id"]),
            "Bread": lambda rep: PRODUCTS.get(rep["id"]),
            "Cake": lambda rep: PRODUCTS.get(rep["id"]),
        },
        "labels": {
            "Query.other": lambda _, __: {"id": "n1", "label": "first"},
            "Query.featured": lambda _, __: {"id": "p1", "name": NAMES["p1"]},
            "Query.catalogue": lambda _, __: [{"id": p, "name": n} for p, n in NAMES.items()],
            "Node": lambda rep: {"id": rep["id"], "label": "first"},
        },
    }
