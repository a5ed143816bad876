"""A REST backend for connector tests that counts every call it gets."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from aiohttp import web

PEOPLE = {
    str(i): {
        "person_id": str(i),
        "full_name": f"Person {i}",
        "age": 20 + i % 50,
        "contact": {"email": f"p{i}@example.test", "phones": [f"+61 400 000 {i:03d}"]},
    }
    for i in range(1, 201)
}
VEHICLES = [
    {"plate": f"P{i:04d}", "owner_id": str(1 + i % 200), "make": "Holden" if i % 2 else "Toyota"}
    for i in range(400)
]
RECORDS = [{"id": i, "title": f"Record {i}"} for i in range(1000)]


class Stats:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.release = asyncio.Event()

    def count(self, request: web.Request) -> None:
        resource = request.match_info.route.resource
        key = resource.canonical if resource else ""
        self.calls[f"{request.method} {key}"] += 1
        self.requests.append(
            (request.method, request.path, dict(request.query), dict(request.headers))
        )


def make_app(stats: Stats) -> web.Application:
    routes = web.RouteTableDef()

    @routes.get("/people/{id}")
    async def person(request: web.Request) -> web.Response:
        stats.count(request)
        found = PEOPLE.get(request.match_info["id"])
        if found is None:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(found)

    @routes.get("/people")
    async def people(request: web.Request) -> web.Response:
        stats.count(request)
        ids = request.query.get("ids", "").split(",")
        return web.json_response({"results": [PEOPLE[i] for i in ids if i in PEOPLE]})

    @routes.post("/people/batch")
    async def people_batch(request: web.Request) -> web.Response:
        stats.count(request)
        body = await request.json()
        return web.json_response([PEOPLE[i] for i in body["ids"] if i in PEOPLE])

    @routes.post("/people")
    async def create(request: web.Request) -> web.Response:
        stats.count(request)
        body = await request.json()
        return web.json_response({"person_id": "999", **body}, status=201)

    @routes.get("/people/{id}/vehicles")
    async def vehicles_of(request: web.Request) -> web.Response:
        stats.count(request)
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            await asyncio.sleep(0)  # let other calls arrive while this one is in flight
            await asyncio.sleep(0.001)
            owner = request.match_info["id"]
            return web.json_response([v for v in VEHICLES if v["owner_id"] == owner])
        finally:
            stats.in_flight -= 1

    @routes.get("/vehicles")
    async def vehicles_batch(request: web.Request) -> web.Response:
        stats.count(request)
        owners = set(request.query.get("owners", "").split(","))
        return web.json_response([v for v in VEHICLES if v["owner_id"] in owners])

    @routes.get("/vehicles/by-plate")
    async def vehicles_by_plate(request: web.Request) -> web.Response:
        stats.count(request)
        plates = set(request.query.get("plates", "").split(","))
        return web.json_response([v for v in VEHICLES if v["plate"] in plates])

    @routes.get("/records")
    async def records(request: web.Request) -> web.Response:
        stats.count(request)
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        return web.json_response({"items": RECORDS[offset : offset + limit], "total": len(RECORDS)})

    @routes.get("/paged")
    async def paged(request: web.Request) -> web.Response:
        stats.count(request)
        page, size = int(request.query["page"]), int(request.query["per_page"])
        start = (page - 1) * size
        return web.json_response(
            {"data": RECORDS[start : start + size], "meta": {"total": len(RECORDS)}}
        )

    @routes.get("/tokened")
    async def tokened(request: web.Request) -> web.Response:
        stats.count(request)
        start = int(request.query.get("cursor", "0"))
        size = int(request.query["limit"])
        end = start + size
        return web.json_response(
            {"results": RECORDS[start:end], "next": str(end) if end < len(RECORDS) else None}
        )

    @routes.get("/boom")
    async def boom(request: web.Request) -> web.Response:
        stats.count(request)
        return web.Response(text="upstream exploded", status=503)

    @routes.get("/slow")
    async def slow(request: web.Request) -> web.Response:
        stats.count(request)
        await stats.release.wait()
        return web.json_response({"full_name": "late"})

    @routes.get("/notjson")
    async def not_json(request: web.Request) -> web.Response:
        stats.count(request)
        return web.Response(text="<html>maintenance</html>", content_type="text/html")

    @routes.get("/misfit")
    async def misfit(request: web.Request) -> web.Response:
        stats.count(request)
        return web.json_response({"person_id": "7", "full_name": None, "age": "old"})

    @routes.get("/echo-headers")
    async def echo_headers(request: web.Request) -> web.Response:
        stats.count(request)
        data: dict[str, Any] = {
            "person_id": request.headers.get("X-Api-Key", ""),
            "full_name": request.headers.get("Authorization", ""),
            "age": 1,
        }
        return web.json_response(data)

    app = web.Application()
    app.add_routes(routes)
    return app
