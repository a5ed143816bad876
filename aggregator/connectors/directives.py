"""The connector directives: their SDL definitions and their parsed form.

Five directives, all subgraph-local (they are stripped from the SDL the
subgraph reports in ``_service { sdl }``, so composition never sees them):

- ``@source`` on the schema: a backend (base URL, headers, timeout, forwarded
  client headers, concurrency cap).
- ``@rest`` on a field (the call that resolves it) or on an entity type (the
  call that looks one entity up from its representation).
- ``@batch`` next to ``@rest``: the endpoint that answers many parents at once.
- ``@from`` on a field: where its value sits in the JSON (rename, nested path).
- ``@paginate`` next to ``@rest`` on a list field: expose it as a Relay
  connection over an offset, page-number or next-token backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import DirectiveNode, ValueNode, value_from_ast_untyped

from aggregator.connectors.templates import Expression, Template, TemplateError, parse_body

__all__ = [
    "CONNECTOR_DIRECTIVES",
    "DIRECTIVE_DEFINITIONS",
    "BatchSpec",
    "ConnectorSchemaError",
    "PageSpec",
    "RestSpec",
    "SourceSpec",
]

DIRECTIVE_DEFINITIONS = """
directive @source(
  name: String!, baseURL: String!, headers: [String!], forwardHeaders: [String!],
  timeout: Float, maxConcurrency: Int
) repeatable on SCHEMA
directive @rest(
  source: String!, method: String = "GET", path: String = "", query: [String!], body: String,
  root: String
) on FIELD_DEFINITION | OBJECT
directive @batch(
  path: String!, method: String = "GET", param: String!, key: String!, match: String!,
  root: String, maxSize: Int
) on FIELD_DEFINITION | OBJECT
directive @from(path: String!) on FIELD_DEFINITION
directive @paginate(
  style: String!, items: String!, total: String, nextToken: String,
  offsetParam: String = "offset", limitParam: String = "limit", pageParam: String = "page",
  tokenParam: String = "page_token", pageSize: Int, firstPage: Int = 1,
  maxPageSize: Int, defaultPageSize: Int
) on FIELD_DEFINITION
"""

CONNECTOR_DIRECTIVES = frozenset({"source", "rest", "batch", "from", "paginate"})


class ConnectorSchemaError(ValueError):
    """The connector SDL is inconsistent (unknown source, bad template, ...)."""


def directive_args(node: DirectiveNode) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for arg in node.arguments or ():
        value: ValueNode = arg.value
        out[arg.name.value] = value_from_ast_untyped(value)
    return out


def split_path(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(step for step in text.split(".") if step)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    base_url: str
    headers: tuple[tuple[str, str], ...]
    forward_headers: tuple[str, ...]
    timeout: float
    max_concurrency: int

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> SourceSpec:
        headers: list[tuple[str, str]] = []
        for line in args.get("headers") or ():
            name, sep, value = str(line).partition(":")
            if not sep:
                raise ConnectorSchemaError(f"@source header {line!r} is not 'Name: value'")
            headers.append((name.strip(), value.strip()))
        return cls(
            name=str(args["name"]),
            base_url=str(args["baseURL"]).rstrip("/"),
            headers=tuple(headers),
            forward_headers=tuple(h.lower() for h in args.get("forwardHeaders") or ()),
            timeout=float(args.get("timeout") or 10.0),
            max_concurrency=int(args.get("maxConcurrency") or 10),
        )


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """One call answers many parents: their ``key`` values joined into ``param``."""

    path: Template
    method: str
    param: str
    key: Expression
    match: tuple[str, ...]
    root: tuple[str, ...]
    max_size: int

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> BatchSpec:
        return cls(
            path=Template.parse(str(args["path"])),
            method=str(args.get("method") or "GET").upper(),
            param=str(args["param"]),
            key=Expression.parse(str(args["key"])),
            match=split_path(str(args["match"])),
            root=split_path(args.get("root")),
            max_size=int(args.get("maxSize") or 100),
        )


@dataclass(frozen=True, slots=True)
class PageSpec:
    style: str  # OFFSET | PAGE | TOKEN
    items: tuple[str, ...]
    total: tuple[str, ...]
    next_token: tuple[str, ...]
    offset_param: str
    limit_param: str
    page_param: str
    token_param: str
    page_size: int
    first_page: int
    max_page_size: int
    default_page_size: int

    @classmethod
    def from_args(
        cls, args: dict[str, Any], *, max_page_size: int, default_page_size: int
    ) -> PageSpec:
        style = str(args["style"]).upper()
        if style not in {"OFFSET", "PAGE", "TOKEN"}:
            raise ConnectorSchemaError(
                f"@paginate style must be OFFSET, PAGE or TOKEN, not {style}"
            )
        if style == "TOKEN" and not args.get("nextToken"):
            raise ConnectorSchemaError("@paginate(style: TOKEN) needs nextToken")
        maximum = int(args.get("maxPageSize") or max_page_size)
        return cls(
            style=style,
            items=split_path(str(args["items"])),
            total=split_path(args.get("total")),
            next_token=split_path(args.get("nextToken")),
            offset_param=str(args.get("offsetParam") or "offset"),
            limit_param=str(args.get("limitParam") or "limit"),
            page_param=str(args.get("pageParam") or "page"),
            token_param=str(args.get("tokenParam") or "page_token"),
            page_size=int(args.get("pageSize") or 50),
            first_page=int(args.get("firstPage") or 0) if "firstPage" in args else 1,
            max_page_size=maximum,
            default_page_size=min(int(args.get("defaultPageSize") or default_page_size), maximum),
        )


@dataclass(frozen=True, slots=True)
class RestSpec:
    """How one field (or one entity type) is fetched."""

    source: SourceSpec
    method: str
    path: Template
    query: tuple[tuple[str, Template], ...]
    body: Any
    root: tuple[str, ...]
    batch: BatchSpec | None
    page: PageSpec | None

    @classmethod
    def from_args(
        cls,
        args: dict[str, Any],
        sources: dict[str, SourceSpec],
        batch: BatchSpec | None,
        page: PageSpec | None,
        where: str,
    ) -> RestSpec:
        source_name = str(args["source"])
        if source_name not in sources:
            raise ConnectorSchemaError(f"{where}: @rest names unknown source {source_name!r}")
        query: list[tuple[str, Template]] = []
        try:
            for item in args.get("query") or ():
                name, sep, value = str(item).partition("=")
                if not sep:
                    raise ConnectorSchemaError(f"{where}: query item {item!r} is not 'name=value'")
                query.append((name.strip(), Template.parse(value.strip())))
            body = parse_body(str(args["body"])) if args.get("body") else None
            path = Template.parse(str(args.get("path") or ""))
        except TemplateError as error:
            raise ConnectorSchemaError(f"{where}: {error}") from error
        return cls(
            source=sources[source_name],
            method=str(args.get("method") or "GET").upper(),
            path=path,
            query=tuple(query),
            body=body,
            root=split_path(args.get("root")),
            batch=batch,
            page=page,
        )
