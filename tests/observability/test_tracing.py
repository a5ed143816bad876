"""Spans of one request: fixed names, one trace from the client through every subgraph."""

from __future__ import annotations

import contextlib
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from aggregator.gateway import Gateway
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

EXPORTER = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
trace.set_tracer_provider(_provider)

CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c"


class _Recorder:
    def __init__(self, app: FederatedSubgraph) -> None:
        self.app = app
        self.traceparents: list[str | None] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            value = headers.get(b"traceparent")
            self.traceparents.append(value.decode() if value else None)
        await self.app(scope, receive, send)


async def test_one_trace_spans_the_client_the_gateway_and_every_subgraph() -> None:
    EXPORTER.clear()
    recorders = {n: _Recorder(FederatedSubgraph(n, SDLS[n], RESOLVERS[n])) for n in SDLS}
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name, app in recorders.items():
            urls[name] = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        stack.push_async_callback(gateway.close)
        result = await gateway.execute(
            "query Traced { topProducts(first: 1) { name inStock } }",
            headers={"traceparent": f"00-{CLIENT_TRACE}-b7ad6b7169203331-01"},
        )
    assert result == {"data": {"topProducts": [{"name": "Table", "inStock": True}]}}

    spans = EXPORTER.get_finished_spans()
    names = [s.name for s in spans]
    for expected in ("graphql.parse", "graphql.validate", "graphql.plan", "graphql.execute"):
        assert names.count(expected) == 1, names
    subgraph_spans = [s for s in spans if s.name == "graphql.subgraph.operation"]
    assert sorted(s.attributes["graphql.subgraph.name"] for s in subgraph_spans) == [
        "inventory",
        "products",
    ]
    [execute] = [s for s in spans if s.name == "graphql.execute"]
    assert execute.attributes["graphql.operation.name"] == "Traced"
    assert f"{execute.context.trace_id:032x}" == CLIENT_TRACE
    assert all(
        s.parent is not None and s.parent.span_id == execute.context.span_id for s in subgraph_spans
    )
    sent = [t for r in recorders.values() for t in r.traceparents if t is not None]
    assert len(sent) == 2
    assert all(t.split("-")[1] == CLIENT_TRACE for t in sent)
