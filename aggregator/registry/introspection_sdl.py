"""Make a plain (non-federation) GraphQL service usable as a federation v2 subgraph.

A plain service cannot answer ``{ _service { sdl } }``, but every GraphQL
service answers introspection. Its introspection result is printed back to
SDL and given a federation v2 ``@link`` so composition reads it as a fed2
subgraph: its root fields join the supergraph as they are (not shareable,
owned by this subgraph alone) and it declares no entities.
"""

from __future__ import annotations

from typing import Any

from graphql import build_client_schema, get_introspection_query, print_schema

FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")'

INTROSPECTION_QUERY = get_introspection_query(descriptions=True)


def introspection_to_subgraph_sdl(introspection: dict[str, Any]) -> str:
    """``introspection`` is the ``data`` of the introspection query's response."""
    schema = build_client_schema(introspection)  # type: ignore[arg-type]
    return f"{FEDERATION_LINK}\n\n{print_schema(schema)}\n"
