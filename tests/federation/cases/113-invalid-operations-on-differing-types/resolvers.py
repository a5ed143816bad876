"""Invalid operations on fields whose types differ between subgraphs (issue 13, 9).

The graph of case 107 (`Shelf.featured` is `Book` in catalog but the `Media` union in
media; `pick` is `Book` there and the `Titled` interface here). Every operation here is
invalid against the API schema and must fail with the errors the reference gateways
give, as many of them and at the same paths: graphql-js reports a field-merging
conflict inside an inline fragment once per enclosing selection set
(aggregator/validation/graphql_js.py).
"""

import importlib.util
from pathlib import Path

from tests.federation.subgraph import Resolvers

_SPEC = importlib.util.spec_from_file_location(
    "federation_case_113_data",
    Path(__file__).parent.parent / "107-field-type-differs-between-subgraphs" / "resolvers.py",
)
assert _SPEC is not None
assert _SPEC.loader is not None
_DATA = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_DATA)


def build() -> dict[str, Resolvers]:
    resolvers: dict[str, Resolvers] = _DATA.build()
    return resolvers
