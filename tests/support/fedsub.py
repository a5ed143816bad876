"""Tiny federation subgraphs for tests: SDL + Python resolvers -> ASGI app.

Speaks the real subgraph protocol (``_service``, ``_entities``) over HTTP and
counts the requests it receives, so tests can assert batching as a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from graphql import (
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    graphql,
)

FEDERATION_DEFS = """
scalar _Any
scalar FieldSet
scalar link__Import
scalar federation__FieldSet
type _Service { sdl: String }
directive @link(url: String!, as: String, for: String, import: [link__Import]) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external(reason: String) on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @extends on OBJECT | INTERFACE
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION
  | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @interfaceObject on OBJECT
directive @composeDirective(name: String!) repeatable on SCHEMA
"""

_KEY = re.compile(r"(?:type|interface)\s+(\w+)[^{]*@key")

Resolver = Callable[..., Any]


class FederatedSubgraph:
    def __init__(self, name: str, sdl: str, resolvers: dict[str, dict[str, Resolver]]) -> None:
        self.name = name
        self.sdl = sdl
        self.requests: list[dict[str, Any]] = []
        entities = sorted(set(_KEY.findall(sdl)))
        extra = FEDERATION_DEFS
        query_kw = "extend type" if re.search(r"type\s+Query\b", sdl) else "type"
        if entities:
            extra += f"union _Entity = {' | '.join(entities)}\n"
            extra += (
                f"{query_kw} Query {{ _service: _Service! "
                "_entities(representations: [_Any!]!): [_Entity]! }\n"
            )
        else:
            extra += f"{query_kw} Query {{ _service: _Service! }}\n"
        source = sdl.replace("extend schema", "schema", 1) if "extend schema" in sdl else sdl
        if "schema" in source.split("{")[0] and "query:" not in source:
            source = re.sub(
                r"^schema\s*((?:@\w+\([^)]*\)\s*)*)", r"extend schema \1", source, flags=re.M
            )
        self.schema: GraphQLSchema = build_schema(source + extra, assume_valid_sdl=True)
        self.resolvers = resolvers
        query = self.schema.query_type
        assert query is not None
        query.fields["_service"].resolve = lambda *_: {"sdl": sdl}
        if entities:
            query.fields["_entities"].resolve = self._entities
            union = self.schema.get_type("_Entity")
            assert isinstance(union, GraphQLUnionType)
            union.resolve_type = lambda value, *_: value["__typename"]
        for type_name, fields in resolvers.items():
            graphql_type = self.schema.get_type(type_name)
            if graphql_type is None or type_name.startswith("__"):
                continue
            for field_name, fn in fields.items():
                if field_name == "__resolve_reference":
                    continue
                graphql_type.fields[field_name].resolve = fn  # type: ignore[attr-defined]
        for graphql_type in self.schema.type_map.values():
            if hasattr(graphql_type, "resolve_type") and not graphql_type.name.startswith("_"):
                graphql_type.resolve_type = lambda value, *_: value.get("__typename")  # type: ignore[attr-defined]

    def _entities(self, _root: Any, info: Any, representations: list[dict[str, Any]]) -> list[Any]:
        out = []
        for rep in representations:
            typename = rep["__typename"]
            resolve = self.resolvers.get(typename, {}).get("__resolve_reference")
            entity = resolve(rep) if resolve else dict(rep)
            if entity is not None:
                entity = {**entity, "__typename": entity.get("__typename", typename)}
            out.append(entity)
        return out

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        payload = orjson.loads(body)
        self.requests.append(payload)
        result = await graphql(
            self.schema,
            payload["query"],
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        raw = orjson.dumps(out)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": raw})
