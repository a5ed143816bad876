"""``@policy`` decisions: one interface, two engines, one call per operation.

The gateway asks a :class:`PolicyEngine` once per operation for every policy
that operation needs, with one input document (caller, declared purpose,
operation, the protected fields and their arguments), and gets back the
policies granted. Two engines:

* :class:`EmbeddedPolicyEngine`: Python callables named in the config as
  ``module:function``, one per policy, sync or async, each returning ``True``
  to grant (anything else denies);
* :class:`OpaPolicyEngine`: Open Policy Agent over its REST Data API
  (``POST /v1/data/<path>`` with ``{"input": ...}``); the document at ``<path>``
  is an object mapping policy names to booleans, or a list of granted names.

Whatever goes wrong denies: the caller (``Authorizer``) bounds every decision
with a timeout, and an error or timeout withholds every field that needed a
policy. Exceptions::

    PolicyError            the engine could not decide (unreachable, bad answer, ...)
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import orjson

__all__ = [
    "EmbeddedPolicyEngine",
    "OpaPolicyEngine",
    "PolicyEngine",
    "PolicyError",
    "PolicyFunction",
    "PolicyRequest",
]

PolicyFunction = Callable[[Mapping[str, Any]], "bool | Awaitable[bool]"]


class PolicyError(Exception):
    """The policy engine gave no usable decision; every policy it was asked is denied."""


@dataclass(frozen=True, slots=True)
class PolicyRequest:
    """Every policy one operation needs, decided together from one input document."""

    policies: tuple[str, ...]
    input: Mapping[str, Any]


class PolicyEngine(Protocol):
    """Decides a batch of policies; returns the granted ones, raises :class:`PolicyError`."""

    name: str

    async def decide(self, request: PolicyRequest) -> frozenset[str]: ...

    async def close(self) -> None: ...


class EmbeddedPolicyEngine:
    """Policies as Python functions in the gateway's own process."""

    name = "embedded"

    def __init__(self, functions: Mapping[str, PolicyFunction]) -> None:
        self.functions = dict(functions)

    async def decide(self, request: PolicyRequest) -> frozenset[str]:
        granted: set[str] = set()
        pending: dict[str, Awaitable[Any]] = {}
        for policy in request.policies:
            function = self.functions.get(policy)
            if function is None:
                continue  # no function for it: denied (the start-up check names these)
            try:
                outcome = function(request.input)
            except Exception as exc:
                raise PolicyError(f"policy {policy!r} raised {type(exc).__name__}: {exc}") from exc
            if inspect.isawaitable(outcome):
                pending[policy] = outcome
            elif outcome is True:
                granted.add(policy)
        if pending:
            results = await asyncio.gather(*pending.values(), return_exceptions=True)
            for policy, result in zip(pending, results, strict=True):
                if isinstance(result, BaseException):
                    raise PolicyError(
                        f"policy {policy!r} raised {type(result).__name__}: {result}"
                    ) from result
                if result is True:
                    granted.add(policy)
        return frozenset(granted)

    async def close(self) -> None:
        return None


class OpaPolicyEngine:
    """Open Policy Agent's Data API: ``POST {url}/v1/data/{path}`` with ``{"input": ...}``.

    OPA answers ``{"result": <document>}``, or ``{}`` when the document is
    undefined (a wrong path, or no rule matched): that denies everything and
    says so. See docs/security.md for a Rego policy that fits.
    """

    name = "opa"

    def __init__(self, url: str, path: str, *, headers: Mapping[str, str] | None = None) -> None:
        self.endpoint = f"{url.rstrip('/')}/v1/data/{path.strip('/')}"
        self.headers = {"content-type": "application/json", **(headers or {})}
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self.headers)
        return self._session

    async def decide(self, request: PolicyRequest) -> frozenset[str]:
        body = orjson.dumps({"input": {**request.input, "policies": list(request.policies)}})
        try:
            async with self._client().post(self.endpoint, data=body) as response:
                payload = await response.read()
                status = response.status
        except aiohttp.ClientError as exc:
            raise PolicyError(f"OPA at {self.endpoint} is unreachable: {exc}") from exc
        try:
            document = orjson.loads(payload) if payload else None
        except orjson.JSONDecodeError as exc:
            raise PolicyError(f"OPA answered HTTP {status} with a body that is not JSON") from exc
        if status != 200:
            message = document.get("message") if isinstance(document, dict) else None
            raise PolicyError(f"OPA answered HTTP {status}: {message or 'no message'}")
        if not isinstance(document, dict) or "result" not in document:
            raise PolicyError(
                f"OPA has no document at {self.endpoint} (undefined): check the path and "
                "that the policy is loaded"
            )
        return _granted(document["result"], request.policies)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _granted(result: Any, asked: tuple[str, ...]) -> frozenset[str]:
    if isinstance(result, dict):
        return frozenset(p for p in asked if result.get(p) is True)
    if isinstance(result, list):
        names = {item for item in result if isinstance(item, str)}
        return frozenset(p for p in asked if p in names)
    raise PolicyError(
        "OPA's document must be an object of policy name -> boolean or a list of granted "
        f"policy names, got {type(result).__name__}"
    )
