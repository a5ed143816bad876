"""Federation subgraphs for gateway tests, in resolver-map form.

The one subgraph implementation is :class:`tests.federation.subgraph.SubgraphServer`
(SDL + Python resolvers -> a real ``_service``/``_entities`` subgraph over HTTP that
counts its requests). :class:`FederatedSubgraph` only accepts resolvers in the nested
graphql-core style the gateway tests are written in::

    {"Query": {"user": lambda root, info, id: ...}, "User": {"__resolve_reference": fn}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.federation.subgraph import Resolvers, SubgraphServer

Resolver = Callable[..., Any]


def _flat(resolvers: dict[str, dict[str, Resolver]]) -> Resolvers:
    flat: Resolvers = {}
    for type_name, fields in resolvers.items():
        for field_name, fn in fields.items():
            if field_name == "__resolve_reference":
                flat[type_name] = fn
            else:
                flat[f"{type_name}.{field_name}"] = lambda parent, args, fn=fn: fn(
                    parent, None, **args
                )
    return flat


class FederatedSubgraph(SubgraphServer):
    def __init__(self, name: str, sdl: str, resolvers: dict[str, dict[str, Resolver]]) -> None:
        super().__init__(name, sdl, _flat(resolvers))
