"""Build an executable, federation-ready subgraph from connector SDL.

``Connector`` reads the directives (see ``directives``), rewrites paginated
fields into connections, builds a graphql-core schema with ``_service`` and
``_entities``, and attaches resolvers that call REST backends through the
per-request loaders. The HTTP session (connection pool) is shared by all
requests; loaders and cached results are never shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import orjson
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    build_ast_schema,
    concat_ast,
    is_abstract_type,
    is_list_type,
    parse,
)

from aggregator.connectors.connections import expand_connections
from aggregator.connectors.cursors import CursorCodec, binding_of
from aggregator.connectors.directives import (
    DIRECTIVE_DEFINITIONS,
    BatchSpec,
    ConnectorSchemaError,
    PageSpec,
    RestSpec,
    SourceSpec,
    directive_args,
    split_path,
)
from aggregator.connectors.federation import (
    entity_types,
    federation_prelude,
    service_sdl,
    shareable_name,
)
from aggregator.connectors.http import HttpCall
from aggregator.connectors.loaders import RequestState
from aggregator.connectors.pagination import PAGING_ARGUMENTS, paginate
from aggregator.connectors.templates import get_path, render_body
from aggregator.connectors.values import Node, misfit, to_graphql
from aggregator.errors import ErrorCode
from aggregator.transport.caller import bind_to_caller
from aggregator.transport.inprocess import InProcessSubgraph

__all__ = ["Connector", "ConnectorSubgraph", "build_connector_schema"]

SessionFactory = Callable[[], aiohttp.ClientSession]


def _default_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))


class Connector:
    """One connector subgraph: its schema, its reported SDL, its HTTP pool."""

    def __init__(
        self,
        sdl: str,
        *,
        name: str = "connector",
        signing_key: bytes,
        base_urls: Mapping[str, str] | None = None,
        session_factory: SessionFactory | None = None,
        max_page_size: int = 100,
        default_page_size: int = 20,
    ) -> None:
        self.name = name
        self._codec = CursorCodec(signing_key)
        self._session_factory = session_factory or _default_session
        self._session: aiohttp.ClientSession | None = None
        self._state_key = f"aggregator.connector.{id(self)}"
        document = parse(sdl)
        self.sources = self._sources(document, base_urls or {})
        document, connections = expand_connections(document, shareable_name(document))
        self.sdl = service_sdl(document)
        entities = entity_types(document)
        has_query = any(
            isinstance(d, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode))
            and d.name.value == "Query"
            for d in document.definitions
        )
        full = concat_ast(
            [
                document,
                parse(DIRECTIVE_DEFINITIONS),
                parse(federation_prelude(document, entities, has_query)),
            ]
        )
        try:
            self.schema = build_ast_schema(full)
        except (TypeError, GraphQLError) as error:
            raise ConnectorSchemaError(f"connector {name}: {error}") from error
        self._specs, self._entity_specs, self._froms = self._read_fields(
            document, connections, max_page_size, default_page_size
        )
        self._attach(entities)

    # -- reading the directives ------------------------------------------------------

    def _sources(
        self, document: DocumentNode, base_urls: Mapping[str, str]
    ) -> dict[str, SourceSpec]:
        sources: dict[str, SourceSpec] = {}
        for definition in document.definitions:
            if not isinstance(definition, (SchemaDefinitionNode, SchemaExtensionNode)):
                continue
            for directive in definition.directives or ():
                if directive.name.value == "source":
                    args = directive_args(directive)
                    if str(args.get("name")) in base_urls:
                        args["baseURL"] = base_urls[str(args["name"])]
                    spec = SourceSpec.from_args(args)
                    sources[spec.name] = spec
        return sources

    def _read_fields(
        self,
        document: DocumentNode,
        connections: set[str],
        max_page_size: int,
        default_page_size: int,
    ) -> tuple[dict[str, RestSpec], dict[str, RestSpec], dict[str, tuple[str, ...]]]:
        specs: dict[str, RestSpec] = {}
        entity_specs: dict[str, RestSpec] = {}
        froms: dict[str, tuple[str, ...]] = {}
        for definition in document.definitions:
            if not isinstance(definition, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode)):
                continue
            type_name = definition.name.value
            type_dirs = {d.name.value: directive_args(d) for d in definition.directives or ()}
            if "rest" in type_dirs:
                batch = BatchSpec.from_args(type_dirs["batch"]) if "batch" in type_dirs else None
                entity_specs[type_name] = RestSpec.from_args(
                    type_dirs["rest"], self.sources, batch, None, type_name
                )
            for field in definition.fields or ():
                coordinate = f"{type_name}.{field.name.value}"
                dirs = {d.name.value: directive_args(d) for d in field.directives or ()}
                if "from" in dirs:
                    froms[coordinate] = split_path(str(dirs["from"]["path"]))
                if "rest" not in dirs:
                    if "batch" in dirs or "paginate" in dirs:
                        raise ConnectorSchemaError(f"{coordinate}: @batch/@paginate need @rest")
                    continue
                batch = BatchSpec.from_args(dirs["batch"]) if "batch" in dirs else None
                page = (
                    PageSpec.from_args(
                        dirs["paginate"],
                        max_page_size=max_page_size,
                        default_page_size=default_page_size,
                    )
                    if coordinate in connections
                    else None
                )
                if batch is not None and page is not None:
                    raise ConnectorSchemaError(f"{coordinate}: @batch and @paginate do not mix")
                specs[coordinate] = RestSpec.from_args(
                    dirs["rest"], self.sources, batch, page, coordinate
                )
        return specs, entity_specs, froms

    # -- resolvers -------------------------------------------------------------------

    def _attach(self, entities: list[str]) -> None:
        for type_ in self.schema.type_map.values():
            if type_.name.startswith("__") or type_.name == "_Service":
                continue
            if isinstance(type_, GraphQLObjectType):
                for field_name, field in type_.fields.items():
                    if type_.name == "Query" and field_name in {"_service", "_entities"}:
                        continue
                    self._attach_field(type_.name, field_name, field)
            elif is_abstract_type(type_) and type_.name != "_Entity":
                type_.resolve_type = _typename_of
        query = self.schema.query_type
        assert query is not None
        sdl = self.sdl
        query.fields["_service"].resolve = lambda *_: {"sdl": sdl}
        if entities:
            query.fields["_entities"].resolve = self._resolve_entities
            entity_union = self.schema.type_map["_Entity"]
            assert isinstance(entity_union, GraphQLUnionType)
            entity_union.resolve_type = _typename_of

    def _attach_field(self, type_name: str, field_name: str, field: GraphQLField) -> None:
        coordinate = f"{type_name}.{field_name}"
        spec = self._specs.get(coordinate)
        if spec is None:
            path = self._froms.get(coordinate, (field_name,))
            return_type = field.type
            source = self.name

            def resolve_plain(parent: Any, _info: GraphQLResolveInfo[Any], **_args: Any) -> Any:
                if isinstance(parent, Node):
                    return to_graphql(
                        get_path(parent.data, path), return_type, parent.status, parent.source
                    )
                return to_graphql(get_path(parent, path), return_type, 200, source)

            field.resolve = resolve_plain
            return

        async def resolve_rest(parent: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
            this = parent.data if isinstance(parent, Node) else (parent or {})
            return await self._fetch(
                spec=spec, coordinate=coordinate, info=info, args=args, this=this, field=field
            )

        field.resolve = resolve_rest

    def _state(self, info: GraphQLResolveInfo[Any]) -> RequestState:
        context = info.context
        if not isinstance(context, dict):
            raise GraphQLError(
                "connector subgraphs need a dict context (InProcessSubgraph provides one)",
                extensions={"code": str(ErrorCode.INTERNAL_SERVER_ERROR)},
            )
        state = context.get(self._state_key)
        if state is None:
            state = context[self._state_key] = RequestState(
                self._get_session, context.get("headers") or {}, self.sources
            )
        assert isinstance(state, RequestState)
        return state

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = self._session_factory()
        return self._session

    def _call(
        self, spec: RestSpec, state: RequestState, args: Mapping[str, Any], this: Any
    ) -> HttpCall:
        path = spec.path.render(args, this, url_encode=True)
        if path is None:
            path = ""
        query: list[tuple[str, str]] = []
        for name, template in spec.query:
            value = template.render(args, this, url_encode=False)
            if value is not None:
                query.append((name, value))
        body = None
        if spec.body is not None:
            body = orjson.dumps(render_body(spec.body, args, this))
        return HttpCall(
            spec.source.name,
            spec.method,
            spec.source.base_url + path,
            tuple(query),
            body,
            state.headers_for(spec.source),
        )

    async def _fetch(
        self,
        *,
        spec: RestSpec,
        coordinate: str,
        info: GraphQLResolveInfo[Any],
        args: dict[str, Any],
        this: Any,
        field: GraphQLField,
    ) -> Any:
        state = self._state(info)
        source = spec.source.name
        if spec.page is not None:
            return await self._fetch_page(
                spec=spec, page=spec.page, coordinate=coordinate, state=state, args=args, this=this
            )
        if spec.batch is not None:
            key = spec.batch.key.evaluate(args, this)
            if key is None:
                return to_graphql(
                    [] if is_list_type(_nullable(field.type)) else None, field.type, 200, source
                )
            batch_spec = spec.batch
            base = HttpCall(
                source,
                batch_spec.method,
                spec.source.base_url + (batch_spec.path.render(args, this, url_encode=True) or ""),
                (),
                None,
                state.headers_for(spec.source),
            )
            result = await state.batched(base, batch_spec, str(key))
            items: Any = result.data
            if not is_list_type(_nullable(field.type)):
                items = items[0] if items else None
            return to_graphql(items, field.type, result.status, source)
        result = await state.call(self._call(spec, state, args, this))
        data = get_path(result.data, spec.root) if spec.root else result.data
        return to_graphql(data, field.type, result.status, source)

    async def _fetch_page(
        self,
        *,
        spec: RestSpec,
        page: PageSpec,
        coordinate: str,
        state: RequestState,
        args: dict[str, Any],
        this: Any,
    ) -> Node:
        template_args = {k: v for k, v in args.items() if k not in PAGING_ARGUMENTS}
        base = self._call(spec, state, template_args, this)
        binding = binding_of(
            coordinate,
            base.method,
            base.url,
            base.query,
            base.body.decode() if base.body else None,
            # a cursor minted for one caller is refused when another presents it
            bind_to_caller(),
        )
        connection = await paginate(
            page, base, state.call, args=args, codec=self._codec, binding=binding
        )
        return Node(connection, 200, spec.source.name)

    def _resolve_entities(
        self, _root: Any, info: GraphQLResolveInfo[Any], representations: list[Any]
    ) -> list[Any]:
        out: list[Any] = []
        for representation in representations:
            typename = (
                representation.get("__typename") if isinstance(representation, dict) else None
            )
            if typename is None or typename not in self.schema.type_map:
                out.append(_bad_representation(typename))
                continue
            spec = self._entity_specs.get(typename)
            if spec is None:
                out.append(Node(representation, 200, self.name, typename))
            else:
                out.append(self._lookup(spec, typename, info, representation))
        return out

    async def _lookup(
        self,
        spec: RestSpec,
        typename: str,
        info: GraphQLResolveInfo[Any],
        representation: dict[str, Any],
    ) -> Node | None:
        state = self._state(info)
        source = spec.source.name
        if spec.batch is not None:
            key = spec.batch.key.evaluate({}, representation)
            base = HttpCall(
                source,
                spec.batch.method,
                spec.source.base_url
                + (spec.batch.path.render({}, representation, url_encode=True) or ""),
                (),
                None,
                state.headers_for(spec.source),
            )
            result = await state.batched(base, spec.batch, str(key))
            data: Any = result.data[0] if result.data else None
        else:
            result = await state.call(self._call(spec, state, {}, representation))
            data = get_path(result.data, spec.root) if spec.root else result.data
        if data is None:
            return None
        if not isinstance(data, dict):
            raise misfit(f"expected a JSON object for {typename}", result.status, source)
        return Node({**representation, **data}, result.status, source, typename)

    @property
    def session(self) -> aiohttp.ClientSession | None:
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def subgraph(self) -> ConnectorSubgraph:
        return ConnectorSubgraph(self)


def _nullable(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _typename_of(value: Any, _info: GraphQLResolveInfo[Any], _type: Any) -> str | None:
    if isinstance(value, Node):
        if value.typename:
            return value.typename
        name = value.data.get("__typename")
        return name if isinstance(name, str) else None
    return None


async def _bad_representation(typename: Any) -> None:
    raise GraphQLError(
        f"Unknown entity type {typename!r} in representation",
        extensions={"code": str(ErrorCode.BAD_USER_INPUT)},
    )


class ConnectorSubgraph(InProcessSubgraph):
    """A connector as a transport ``Subgraph``; closing it closes the HTTP pool."""

    def __init__(self, connector: Connector) -> None:
        super().__init__(connector.name, connector.schema)
        self.connector = connector

    async def close(self) -> None:
        await super().close()
        await self.connector.close()


def build_connector_schema(
    sdl: str,
    *,
    signing_key: bytes,
    session_factory: SessionFactory | None = None,
    base_urls: Mapping[str, str] | None = None,
    max_page_size: int = 100,
    default_page_size: int = 20,
) -> GraphQLSchema:
    """The executable schema of a connector (keep the ``Connector`` to close its pool)."""
    return Connector(
        sdl,
        signing_key=signing_key,
        session_factory=session_factory,
        base_urls=base_urls,
        max_page_size=max_page_size,
        default_page_size=default_page_size,
    ).schema
