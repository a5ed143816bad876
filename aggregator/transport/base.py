"""The one interface every subgraph client implements.

The executor never knows whether a subgraph is a remote HTTP service, a
strawberry schema in this process, or a REST connector: it only awaits
``fetch``. Transport failures are *returned* as GraphQL errors in the
response (never raised), so a failing agency degrades to partial data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(slots=True)
class SubgraphRequest:
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # a query (never a mutation) that may share an identical in-flight request
    deduplicate: bool = False


@dataclass(slots=True)
class SubgraphResponse:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    extensions: dict[str, Any] | None = None
    status: int = 200
    # the subgraph's Cache-Control and Age response headers (HTTP subgraphs), for the cache
    cache_control: str | None = None
    age: str | None = None
    # the errors are the gateway's own (no answer, or not a GraphQL answer), not the subgraph's
    from_gateway: bool = False
    # the subgraph asked callers to wait this long (HTTP Retry-After)
    retry_after_s: float | None = None
    # bytes of the body as received (0 when unknown, e.g. in-process)
    size: int = 0


class Subgraph(Protocol):
    name: str

    async def fetch(self, request: SubgraphRequest) -> SubgraphResponse: ...

    async def close(self) -> None: ...
