"""A stand-in for Open Policy Agent that speaks its REST Data API wire format.

No OPA server installs from the registries reachable here, so tests run this:
``POST /v1/data/<path>`` with ``{"input": ...}`` answers ``{"result": <document>}``
(``{}`` when the path holds no document, as OPA does for undefined documents),
and malformed bodies get OPA's ``{"code", "message"}`` error with HTTP 400. The
decision below is the sample Rego policy in docs/security.md, written in Python.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

POLICY_PATH = "aggregator/policies"


def decide(policy_input: dict[str, Any]) -> dict[str, bool]:
    """docs/security.md's sample Rego policy, rule for rule."""
    claims = policy_input.get("claims") or {}
    roles = claims.get("roles") or []
    card_args = [
        f.get("arguments", {})
        for f in policy_input.get("fields", [])
        if f.get("coordinate") == "User.creditCard"
    ]
    return {
        "read_credit_card": policy_input.get("agency") == "billing"
        and all(a.get("last", 4) <= 4 for a in card_args),
        "member": claims.get("membership") == "active",
        "staff": "staff" in roles,
        "loyalty_desk": policy_input.get("purpose") == "loyalty",
    }


class FakeOpa:
    def __init__(self) -> None:
        self.inputs: list[dict[str, Any]] = []
        self.delay_s = 0.0
        self.answer: Any = None  # override the result document
        self.status = 200

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/data/{path:.*}", self.data)
        return app

    async def data(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response(
                {"code": "invalid_parameter", "message": "body contains malformed input document"},
                status=400,
            )
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            return web.json_response(
                {"code": "invalid_parameter", "message": "input document must be an object"},
                status=400,
            )
        self.inputs.append(body["input"])
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.status != 200:
            return web.json_response(
                {"code": "internal_error", "message": "policy evaluation failed"},
                status=self.status,
            )
        if request.match_info["path"].strip("/") != POLICY_PATH:
            return web.json_response({})  # undefined document
        result = self.answer if self.answer is not None else decide(body["input"])
        return web.json_response({"result": result})
