"""Run a federation subgraph from an SDL file and plain Python resolvers over real HTTP.

The conformance corpus needs dozens of tiny subgraphs that behave exactly like
Apollo-compatible subgraph libraries (the `_service` / `_entities` contract of
the federation subgraph spec) while staying readable: one SDL file and a dict
of resolvers each. Building them on graphql-core keeps the subgraphs
independent of the gateway under test, and serving them as raw ASGI apps
lets a test count every request (batching is a number) and make a subgraph
fail on purpose (HTTP 500, HTTP 400 with GraphQL errors, non-JSON or empty body,
a JSON object without data or errors, subgraph-level errors, slow answer,
connection refused).

Resolver dict keys:
  ``"Type.field"`` -> ``fn(parent, args)``: resolves one field (root fields get ``None``);
  ``"Type"``       -> ``fn(representation) -> dict | None``: entity reference resolver;
                      the returned row is merged over the representation, ``None``
                      gives a null entity, a returned exception an error at that
                      entity. Without one, the representation itself is the entity
                      (the Apollo subgraph default).
Abstract types resolve through the ``__typename`` key of each row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    NameNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    build_ast_schema,
    graphql,
    parse,
)

Resolvers = dict[str, Callable[..., Any]]

FAILURE_MODES = (
    "ok",
    "http500",
    "nonjson",
    "slow",
    "graphql_error",
    "http400_graphql",
    "empty_body",
    "empty_object",
)


def _key_is_resolvable(directive: Any) -> bool:
    for arg in directive.arguments or ():
        if arg.name.value == "resolvable":
            return bool(getattr(arg.value, "value", True))
    return True


def _is_fed2(doc: DocumentNode) -> bool:
    for definition in doc.definitions:
        if definition.kind in ("schema_extension", "schema_definition"):
            for directive in definition.directives or ():  # type: ignore[attr-defined]
                if directive.name.value == "link":
                    for arg in directive.arguments:
                        if (
                            arg.name.value == "url"
                            and isinstance(arg.value, StringValueNode)
                            and "federation" in arg.value.value
                        ):
                            return True
    return False


def _promote_orphan_extensions(doc: DocumentNode) -> DocumentNode:
    """Fed1 subgraphs write `extend type X @key(...)` with no base `type X`: make it a type."""
    defined = {d.name.value for d in doc.definitions if isinstance(d, ObjectTypeDefinitionNode)}
    definitions: list[Any] = []
    for d in doc.definitions:
        if isinstance(d, ObjectTypeExtensionNode) and d.name.value not in defined:
            defined.add(d.name.value)
            definitions.append(
                ObjectTypeDefinitionNode(
                    name=NameNode(value=d.name.value),
                    interfaces=d.interfaces,
                    directives=d.directives,
                    fields=d.fields,
                )
            )
        else:
            definitions.append(d)
    return DocumentNode(definitions=tuple(definitions))


def entity_type_names(doc: DocumentNode) -> list[str]:
    """Object types with at least one resolvable @key: the members of `_Entity`."""
    names: list[str] = []
    for d in doc.definitions:
        if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            keys = [x for x in d.directives or () if x.name.value in ("key", "federation__key")]
            if any(_key_is_resolvable(k) for k in keys) and d.name.value not in names:
                names.append(d.name.value)
    return names


def federation_sdl(doc: DocumentNode) -> str:
    """The definitions a subgraph library adds to the user's SDL."""
    fed2 = _is_fed2(doc)
    entities = entity_type_names(doc)
    has_query = any(
        isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
        and d.name.value == "Query"
        for d in doc.definitions
    )
    parts = ["scalar _Any"]
    if fed2:
        parts += [
            "scalar FieldSet",
            "scalar link__Import",
            "enum link__Purpose { SECURITY EXECUTION }",
        ]
    else:
        parts.append("scalar _FieldSet")
    parts.append("type _Service { sdl: String }")
    query_fields = ["_service: _Service!"]
    if entities:
        parts.append(f"union _Entity = {' | '.join(entities)}")
        query_fields.append("_entities(representations: [_Any!]!): [_Entity]!")
    keyword = "extend type" if has_query else "type"
    parts.append(f"{keyword} Query {{ {' '.join(query_fields)} }}")
    return "\n".join(parts)


def _resolve_typename(value: Any, _info: Any, _type: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("__typename")
        return str(name) if name is not None else None
    return None


def _field_resolver(fn: Callable[..., Any]) -> Callable[..., Any]:
    def resolve(parent: Any, _info: Any, **args: Any) -> Any:
        return fn(parent, args)

    return resolve


def build_subgraph_schema(sdl: str, resolvers: Resolvers) -> GraphQLSchema:
    """An executable schema for a federation subgraph SDL plus its resolvers."""
    doc = _promote_orphan_extensions(parse(sdl))
    full = DocumentNode(definitions=(*doc.definitions, *parse(federation_sdl(doc)).definitions))
    schema = build_ast_schema(full, assume_valid_sdl=True)
    for key, fn in resolvers.items():
        if "." in key:
            type_name, field_name = key.split(".", 1)
            owner = schema.type_map.get(type_name)
            if (
                not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType)
                or field_name not in owner.fields
            ):
                raise ValueError(f"resolver for unknown field {key}")
            owner.fields[field_name].resolve = _field_resolver(fn)
        elif key not in schema.type_map:
            raise ValueError(f"reference resolver for unknown type {key}")
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            named.resolve_type = _resolve_typename
    query = schema.query_type
    assert query is not None
    query.fields["_service"].resolve = lambda *_a, **_k: {"sdl": sdl}
    if "_entities" in query.fields:
        query.fields["_entities"].resolve = _entities_resolver(resolvers)
    return schema


def _entities_resolver(resolvers: Resolvers) -> Callable[..., Any]:
    def resolve(_root: Any, _info: Any, representations: list[Any]) -> Any:
        out: list[Any] = []
        for rep in representations:
            typename = rep.get("__typename")
            finder = resolvers.get(str(typename))
            if finder is None:
                out.append(dict(rep))
                continue
            row = finder(rep)
            if row is None or isinstance(row, Exception):
                out.append(row)
                continue
            merged = {**rep, **row}
            merged.setdefault("__typename", typename)
            out.append(merged)
        return out

    return resolve


@dataclass
class SubgraphServer:
    """One subgraph as an ASGI app that counts its requests and fails on demand."""

    name: str
    sdl: str
    resolvers: Resolvers
    mode: str = "ok"
    slow_seconds: float = 1.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    schema: GraphQLSchema = field(init=False)

    def __post_init__(self) -> None:
        self.schema = build_subgraph_schema(self.sdl, self.resolvers)

    def reset(self, resolvers: Resolvers | None = None, mode: str = "ok") -> None:
        """Fresh data and counters between operations, so every golden starts equal."""
        if mode not in FAILURE_MODES:
            raise ValueError(f"unknown failure mode {mode!r}")
        if resolvers is not None:
            self.resolvers = resolvers
            self.schema = build_subgraph_schema(self.sdl, resolvers)
        self.mode = mode
        self.requests.clear()

    @property
    def count(self) -> int:
        return len(self.requests)

    async def execute(self, body: dict[str, Any]) -> dict[str, Any]:
        result = await graphql(
            self.schema,
            body.get("query") or "",
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        return dict(result.formatted)

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            body = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            body = {}
        self.requests.append(body)
        status, payload, ctype = await self._answer(body)
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", ctype)]}
        )
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, body: dict[str, Any]) -> tuple[int, bytes, bytes]:
        json_type = b"application/json"
        if self.mode == "http500":
            return 500, b'{"message":"internal failure"}', json_type
        if self.mode == "nonjson":
            return 200, b"<html>not json</html>", b"text/html"
        if self.mode == "graphql_error":
            payload = {
                "data": None,
                "errors": [
                    {
                        "message": f"{self.name} is unavailable",
                        "extensions": {"code": "UNAVAILABLE"},
                    }
                ],
            }
            return 200, orjson.dumps(payload), json_type
        if self.mode == "http400_graphql":
            payload = {
                "errors": [
                    {
                        "message": "query rejected by subgraph",
                        "extensions": {"code": "SUBGRAPH_REJECTED"},
                    }
                ]
            }
            return 400, orjson.dumps(payload), json_type
        if self.mode == "empty_body":
            return 200, b"", json_type
        if self.mode == "empty_object":
            return 200, b"{}", json_type
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        result = await self.execute(body)
        return 200, orjson.dumps(result), json_type


def lookup(rows: list[dict[str, Any]], *keys: str) -> Callable[[dict[str, Any]], Any]:
    """A reference resolver finding the row whose ``keys`` equal the representation's."""

    def find(rep: dict[str, Any]) -> Any:
        for row in rows:
            if all(row.get(k) == rep.get(k) for k in keys):
                return row
        return None

    return find
