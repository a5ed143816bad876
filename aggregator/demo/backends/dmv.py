"""DMV agency REST API: vehicle registrations and driving licences.

Shaped like a typical agency API: snake_case JSON, envelopes, and batch
endpoints (``?owner_ids=a,b,c``) that the connector uses to answer many
citizens with one call. ``app["calls"]`` counts requests per route.
"""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from aggregator.demo.data import demo_data

__all__ = ["CALLS", "dmv_app"]

CALLS: web.AppKey[Counter[str]] = web.AppKey("calls", Counter)


def _ids(request: web.Request, name: str) -> set[str]:
    return {value for value in request.query.get(name, "").split(",") if value}


async def _vehicles(request: web.Request) -> web.Response:
    request.app[CALLS]["vehicles"] += 1
    owners = _ids(request, "owner_ids")
    if not owners:
        return web.json_response({"error": "owner_ids is required"}, status=400)
    found = [v for v in demo_data().vehicles if v["owner_id"] in owners]
    return web.json_response({"vehicles": found, "count": len(found)})


async def _vehicle(request: web.Request) -> web.Response:
    request.app[CALLS]["vehicle"] += 1
    plate = request.match_info["plate"]
    for vehicle in demo_data().vehicles:
        if vehicle["registration_number"] == plate:
            return web.json_response(vehicle)
    return web.json_response({"error": f"no vehicle {plate}"}, status=404)


async def _licences(request: web.Request) -> web.Response:
    request.app[CALLS]["licences"] += 1
    holders = _ids(request, "holder_ids")
    found = [lic for lic in demo_data().licences if lic["holder_id"] in holders]
    return web.json_response({"licences": found})


def dmv_app() -> web.Application:
    app = web.Application()
    app[CALLS] = Counter()
    app.router.add_get("/v1/vehicles", _vehicles)
    app.router.add_get("/v1/vehicles/{plate}", _vehicle)
    app.router.add_get("/v1/licences", _licences)
    return app
