"""Three small agencies for cache tests, served over real HTTP, counting what they get.

Their SDL is ``tests/composition/cases/cache_control/*.graphql`` (declaring
``@cacheControl``/``@cacheTag`` the documented way) and the gateway serves
the supergraph Apollo composed from them (``expected.graphql`` there), so the
hints reach the gateway exactly as Apollo's composition carries them.

Answers depend on the identity headers the gateway inserts (``x-agency``,
``x-subject``), so a cache that let one caller's entry reach another would
show up as a wrong answer, not only as a missing request.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

CASE = Path(__file__).resolve().parents[1] / "composition" / "cases" / "cache_control"
SUPERGRAPH = (CASE / "expected.graphql").read_text()
NAMES = ("catalog", "people", "records")

CLASSES = {f"C{i:03d}": f"Class {i}" for i in range(200)}
CITIZEN_NAMES: dict[str, str] = {}

_headers: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "headers", default=None
)


def _header(name: str) -> str | None:
    return (_headers.get() or {}).get(name)


def _licence_class(code: str) -> dict[str, Any] | None:
    if code == "BAD":
        raise ValueError("the licence register is unavailable")
    name = CLASSES.get(code, f"Class {code}")
    return {"__typename": "LicenceClass", "code": code, "name": name}


def _citizen(identifier: str) -> dict[str, Any]:
    return {
        "__typename": "Citizen",
        "id": identifier,
        "name": CITIZEN_NAMES.get(identifier, f"Citizen {identifier}"),
    }


def _description(obj: dict[str, Any], _info: Any) -> str:
    code = str(obj["code"])
    if code.startswith("X"):
        raise ValueError(f"no description for {code}")
    return f"About {code}"


def _points(obj: dict[str, Any], _info: Any) -> int:
    # an agency-specific answer: dmv sees one number, every other agency another
    return 10 if _header("x-agency") == "dmv" else 20


def _me(*_: Any) -> dict[str, Any] | None:
    subject = _header("x-subject")
    if subject is None:
        return None
    return {
        "__typename": "Citizen",
        "id": subject,
        "name": f"{subject} seen by {_header('x-agency') or 'nobody'}",
    }


def _rename(_root: Any, _info: Any, id: str, name: str) -> dict[str, Any]:
    CITIZEN_NAMES[id] = name
    return _citizen(id)


RESOLVERS: dict[str, dict[str, dict[str, Callable[..., Any]]]] = {
    "catalog": {
        "Query": {
            "licenceClasses": lambda *_: [_licence_class(c) for c in list(CLASSES)[:20]],
            "lookupClasses": lambda _r, _i, codes: [_licence_class(c) for c in codes],
            "offices": lambda *_: [{"__typename": "Office", "id": "O1", "name": "Central"}],
            "licenceClass": lambda _r, _i, code: _licence_class(code),
        },
        "LicenceClass": {"__resolve_reference": lambda rep: _licence_class(rep["code"])},
        "Office": {"__resolve_reference": lambda rep: {"id": rep["id"], "name": "Central"}},
    },
    "people": {
        "Query": {
            "me": _me,
            "citizens": lambda _r, _i, ids: [_citizen(i) for i in ids],
        },
        "Mutation": {"renameCitizen": _rename},
        "Citizen": {"__resolve_reference": lambda rep: _citizen(rep["id"])},
    },
    "records": {
        "LicenceClass": {"description": _description},
        "Citizen": {"points": _points},
        "Office": {"hours": lambda *_: "9-5"},
    },
}

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass
class Agency:
    """One subgraph over HTTP: its requests, extra response headers, and an optional gate."""

    name: str
    subgraph: FederatedSubgraph
    url: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    gate: asyncio.Event | None = None
    waiting: int = 0

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.subgraph.requests

    def representations(self) -> list[list[dict[str, Any]]]:
        """The representations of every _entities request received, in order."""
        found = []
        for request in self.requests:
            for name, value in (request.get("variables") or {}).items():
                if (name == "representations" or name.startswith("r")) and isinstance(value, list):
                    found.append(value)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.subgraph(scope, receive, send)
            return
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()
        }
        token = _headers.set(headers)
        if self.gate is not None:
            self.waiting += 1
            await asyncio.wait_for(self.gate.wait(), 10)
        extra = [(k.lower().encode(), v.encode()) for k, v in self.response_headers.items()]

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start" and extra:
                message = {**message, "headers": [*message["headers"], *extra]}
            await send(message)

        try:
            await self.subgraph(scope, receive, send_with_headers)
        finally:
            _headers.reset(token)


@dataclass
class Agencies:
    by_name: dict[str, Agency]

    def __getitem__(self, name: str) -> Agency:
        return self.by_name[name]

    def counts(self) -> dict[str, int]:
        return {name: len(a.requests) for name, a in self.by_name.items()}

    def reset(self) -> None:
        for agency in self.by_name.values():
            agency.requests.clear()
            agency.response_headers.clear()
            agency.gate = None
            agency.waiting = 0

    def supergraph(self) -> str:
        sdl = SUPERGRAPH
        for name, agency in self.by_name.items():
            sdl = sdl.replace(f"http://{name}.local/graphql", agency.url)
        return sdl


@contextlib.asynccontextmanager
async def serve_agencies() -> AsyncIterator[Agencies]:
    async with contextlib.AsyncExitStack() as stack:
        agencies = {}
        for name in NAMES:
            sdl = (CASE / f"{name}.graphql").read_text()
            agency = Agency(name, FederatedSubgraph(name, sdl, RESOLVERS[name]))
            agency.url = await stack.enter_async_context(serve_asgi(agency)) + "/graphql"
            agencies[name] = agency
        yield Agencies(agencies)


def body(data: Any) -> bytes:
    return orjson.dumps(data)
