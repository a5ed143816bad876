"""Executable graphql-core schemas for the benchmark subgraphs, built from their federation SDL.

The SDL files in ``sdl/`` are the single source: Apollo composition reads them to
make ``bench/supergraph.graphql``, and here they get the federation prelude
(``_Any``, ``_Entity``, ``_entities``, ``_service``) and the resolvers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from bench.scenarios import DEFAULT_SCENARIO, scenario
from bench.subgraphs.resolvers import ENTITY_RESOLVERS, QUERY_RESOLVERS, field_resolvers

SUBGRAPH_NAMES: tuple[str, ...] = ("accounts", "inventory", "products", "reviews")
SDL_DIR = Path(__file__).parent / "sdl"

_FEDERATION_DIRECTIVES = """
scalar link__Import
scalar FieldSet
directive @link(url: String!, as: String, import: [link__Import], for: String) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @external on FIELD_DEFINITION | OBJECT
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
scalar _Any
type _Service { sdl: String }
"""


def subgraph_sdl(name: str) -> str:
    """The federation SDL of one subgraph, as served by ``_service { sdl }``."""
    return (SDL_DIR / f"{name}.graphql").read_text()


def _entity_types(sdl: str) -> list[str]:
    names = []
    for line in sdl.splitlines():
        if line.startswith("type ") and "@key(" in line:
            names.append(line.split()[1])
    return names


def build_subgraph_schema(name: str, scenario_name: str = DEFAULT_SCENARIO) -> GraphQLSchema:
    """Build the executable schema of subgraph ``name`` with its scenario's resolvers attached."""
    sdl = subgraph_sdl(name)
    entities = _entity_types(sdl)
    has_query = "type Query" in sdl
    root = "extend type Query" if has_query else "type Query"
    extra = (
        f"union _Entity = {' | '.join(entities)}\n"
        f"{root} {{ _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }}\n"
    )
    schema = build_schema(_FEDERATION_DIRECTIVES + sdl + extra, assume_valid_sdl=True)
    _attach(schema, name, sdl, scenario(scenario_name).product_reviews_everywhere)
    return schema


def _attach(schema: GraphQLSchema, name: str, sdl: str, product_reviews_everywhere: bool) -> None:
    query = schema.query_type
    assert query is not None
    for field_name, resolver in QUERY_RESOLVERS[name].items():
        query.fields[field_name].resolve = resolver
    for (type_name, field_name), resolver in field_resolvers(
        name, product_reviews_everywhere
    ).items():
        object_type = schema.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType)
        object_type.fields[field_name].resolve = resolver
    entity_resolvers = ENTITY_RESOLVERS[name]

    def resolve_entities(
        _root: object, _info: GraphQLResolveInfo[Any], representations: list[Mapping[str, Any]]
    ) -> list[Any]:
        results = []
        for rep in representations:
            resolver = entity_resolvers.get(str(rep.get("__typename")))
            results.append(None if resolver is None else resolver(rep))
        return results

    service = {"sdl": sdl}
    query.fields["_entities"].resolve = resolve_entities
    query.fields["_service"].resolve = lambda _root, _info: service
    union = schema.get_type("_Entity")
    assert isinstance(union, GraphQLUnionType)
    union.resolve_type = lambda value, _info, _type: value["__typename"]
