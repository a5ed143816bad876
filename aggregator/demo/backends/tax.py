"""Tax agency REST API: tax returns per citizen, paged by offset/limit.

Newest financial year first; the response carries ``count`` (the total) so
the connector can page backwards from the end. ``app["calls"]`` counts
requests.
"""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from aggregator.demo.data import demo_data

__all__ = ["CALLS", "tax_app"]

CALLS: web.AppKey[Counter[str]] = web.AppKey("calls", Counter)
MAX_LIMIT = 50


async def _returns(request: web.Request) -> web.Response:
    request.app[CALLS]["returns"] += 1
    try:
        offset = int(request.query.get("offset", "0"))
        limit = min(int(request.query.get("limit", "10")), MAX_LIMIT)
    except ValueError:
        return web.json_response({"error": "offset and limit must be integers"}, status=400)
    citizen = request.query.get("citizen", "")
    returns = demo_data().tax_returns.get(citizen)
    if returns is None:
        return web.json_response({"error": f"unknown taxpayer {citizen}"}, status=404)
    return web.json_response(
        {"results": returns[offset : offset + limit], "count": len(returns), "offset": offset}
    )


def tax_app() -> web.Application:
    app = web.Application()
    app[CALLS] = Counter()
    app.router.add_get("/api/returns", _returns)
    return app
