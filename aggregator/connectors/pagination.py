"""Relay connections over backends that page by offset, page number or next-token.

The backend's own paging stays hidden: clients see ``first/after`` and
``last/before`` with signed cursors (see ``cursors``). Offset and page-number
backends support both directions (a backward page with no ``before`` needs
the backend to report a total); next-token backends only move forwards,
because a token cannot be walked back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from graphql import GraphQLError

from aggregator.connectors.cursors import CursorCodec, invalid_input
from aggregator.connectors.directives import PageSpec
from aggregator.connectors.http import HttpCall, HttpResult
from aggregator.connectors.templates import get_path
from aggregator.errors import SERVICE_NAME, ErrorCode

__all__ = ["PAGING_ARGUMENTS", "paginate"]

PAGING_ARGUMENTS = ("first", "after", "last", "before")

Runner = Callable[[HttpCall], Awaitable[HttpResult]]


def _count(args: dict[str, Any], spec: PageSpec) -> tuple[int, bool]:
    first, last = args.get("first"), args.get("last")
    if first is not None and last is not None:
        raise invalid_input("Pass either 'first' or 'last', not both")
    backwards = last is not None
    n = last if backwards else first
    if n is None:
        return spec.default_page_size, False
    name = "last" if backwards else "first"
    if n < 0:
        raise invalid_input(f"'{name}' must not be negative")
    if n > spec.max_page_size:
        raise invalid_input(f"'{name}' must be at most {spec.max_page_size}")
    return int(n), backwards


def _items(result: HttpResult, spec: PageSpec, call: HttpCall) -> list[Any]:
    items = get_path(result.data, spec.items)
    if not isinstance(items, list):
        raise GraphQLError(
            f"{call.source}: page from {call.url} has no list at '{'.'.join(spec.items)}'",
            extensions={
                "code": str(ErrorCode.SUBREQUEST_MALFORMED_RESPONSE),
                SERVICE_NAME: call.source,
                "http": {"status": result.status},
            },
        )
    return items


def _total(result: HttpResult, spec: PageSpec) -> int | None:
    if not spec.total:
        return None
    value = get_path(result.data, spec.total)
    return value if isinstance(value, int) else None


class _Window:
    """Reads ``[start, start+limit)`` of the backend's list by offset or by pages."""

    def __init__(self, spec: PageSpec, base: HttpCall, run: Runner) -> None:
        self.spec, self.base, self.run = spec, base, run

    def _call(self, *params: tuple[str, str]) -> HttpCall:
        return replace(self.base, query=(*self.base.query, *params))

    async def read(self, start: int, limit: int) -> tuple[list[Any], int | None]:
        spec = self.spec
        if spec.style == "OFFSET":
            call = self._call((spec.offset_param, str(start)), (spec.limit_param, str(limit)))
            result = await self.run(call)
            return _items(result, spec, call)[:limit], _total(result, spec)
        size = spec.page_size
        if limit == 0:
            first_page, last_page = start // size, start // size
        else:
            first_page, last_page = start // size, (start + limit - 1) // size
        calls = [
            self._call(
                (spec.page_param, str(page + spec.first_page)), (spec.limit_param, str(size))
            )
            for page in range(first_page, last_page + 1)
        ]
        results = await asyncio.gather(*(self.run(c) for c in calls))
        collected: list[Any] = []
        for call, result in zip(calls, results, strict=True):
            page_items = _items(result, spec, call)
            collected.extend(page_items)
            if len(page_items) < size:
                break
        skip = start - first_page * size
        return collected[skip : skip + limit], _total(results[0], spec)


async def paginate(
    spec: PageSpec,
    base: HttpCall,
    run: Runner,
    *,
    args: dict[str, Any],
    codec: CursorCodec,
    binding: str,
) -> dict[str, Any]:
    n, backwards = _count(args, spec)
    after, before = args.get("after"), args.get("before")
    if spec.style == "TOKEN":
        if backwards or before is not None:
            raise invalid_input("This list can only be paged forwards ('first' and 'after')")
        return await _token_page(spec, base, run, n=n, after=after, codec=codec, binding=binding)

    lo = _offset(codec.decode(after, binding, "after"), "after") + 1 if after is not None else 0
    hi = _offset(codec.decode(before, binding, "before"), "before") if before is not None else None
    window = _Window(spec, base, run)
    total: int | None = None
    if backwards:
        if hi is None:
            if not spec.total:
                raise invalid_input("'last' without 'before' is not supported by this backend")
            _, total = await window.read(0, 1)
            hi = total if total is not None else 0
        start = max(lo, hi - n)
        items, reported = await window.read(start, hi - start)
        if reported is not None:
            total = reported
        has_previous, has_next = start > lo, before is not None
    else:
        start = lo
        want = n + 1 if hi is None else min(n, max(hi - lo, 0))
        items, total = await window.read(start, want)
        has_next = len(items) > n if hi is None else start + n < hi
        items = items[:n]
        has_previous = start > 0
    edges = [
        {"cursor": codec.encode(binding, start + i), "node": item} for i, item in enumerate(items)
    ]
    return _connection(edges, has_previous, has_next, total)


def _offset(position: Any, argument: str) -> int:
    if not isinstance(position, int) or position < 0:
        raise invalid_input(f"Invalid cursor in '{argument}'")
    return position


async def _token_page(
    spec: PageSpec,
    base: HttpCall,
    run: Runner,
    *,
    n: int,
    after: str | None,
    codec: CursorCodec,
    binding: str,
) -> dict[str, Any]:
    token: str | None = None
    skip = 0
    if after is not None:
        position = codec.decode(after, binding, "after")
        if not (isinstance(position, list) and len(position) == 2 and isinstance(position[1], int)):
            raise invalid_input("Invalid cursor in 'after'")
        token, skip = position[0], position[1] + 1
    edges: list[dict[str, Any]] = []
    total: int | None = None
    has_next = False
    for _ in range(n // max(spec.page_size, 1) + 3):
        params = [(spec.limit_param, str(spec.page_size))]
        if token is not None:
            params.append((spec.token_param, str(token)))
        call = replace(base, query=(*base.query, *params))
        result = await run(call)
        page = _items(result, spec, call)
        if total is None:
            total = _total(result, spec)
        next_token = get_path(result.data, spec.next_token)
        for index in range(skip, len(page)):
            if len(edges) == n:
                has_next = True
                break
            edges.append({"cursor": codec.encode(binding, [token, index]), "node": page[index]})
        if has_next or next_token in (None, ""):
            break
        if len(edges) == n:
            has_next = True  # the backend says more pages exist
            break
        token, skip = str(next_token), 0
    return _connection(edges, after is not None, has_next, total)


def _connection(
    edges: list[dict[str, Any]], has_previous: bool, has_next: bool, total: int | None
) -> dict[str, Any]:
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "totalCount": total,
        "pageInfo": {
            "hasPreviousPage": has_previous,
            "hasNextPage": has_next,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
