"""Metrics pushed over OTLP/HTTP by a real gateway process, to a receiver speaking OTLP.

No OpenTelemetry collector can be installed here, so the receiver is an HTTP
server implementing the collector's OTLP/HTTP protobuf endpoint
(``POST /v1/metrics`` with an ``ExportMetricsServiceRequest``), decoded with
the protocol's own generated classes.
"""

from __future__ import annotations

import asyncio
import gzip
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

from aggregator.demo.serving import serve_aiohttp
from aggregator.observability import metric_names as names
from tests.reload.backends import SDL_WITHOUT_SLOW, Backend, supergraph
from tests.support.gateway_process import gateway
from tests.support.servers import serve_asgi


class Receiver:
    def __init__(self) -> None:
        # metric name -> attribute sets seen on its data points
        self.points: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.resources: list[dict[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_post("/v1/metrics", self.export)

    async def export(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        message = ExportMetricsServiceRequest.FromString(body)
        for resource_metrics in message.resource_metrics:
            self.resources.append(
                {a.key: a.value.string_value for a in resource_metrics.resource.attributes}
            )
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    kind = metric.WhichOneof("data")
                    for point in getattr(metric, kind).data_points:
                        attributes = {
                            a.key: getattr(a.value, a.value.WhichOneof("value"))
                            for a in point.attributes
                        }
                        count = getattr(point, "count", None)
                        self.points[metric.name].append(
                            {"attributes": attributes, "count": count, "unit": metric.unit}
                        )
        return web.Response(
            body=ExportMetricsServiceResponse().SerializeToString(),
            content_type="application/x-protobuf",
        )


async def test_otlp_push_carries_the_documented_names(tmp_path: Path) -> None:
    backend = Backend()
    receiver = Receiver()
    async with (
        serve_asgi(backend.app) as subgraph_url,
        serve_aiohttp(receiver.app) as collector_url,
    ):
        file = tmp_path / "supergraph.graphql"
        file.write_text(supergraph(f"{subgraph_url}/graphql", SDL_WITHOUT_SLOW), encoding="utf-8")
        env = {
            "AGGREGATOR_METRICS": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector_url,
            "OTEL_METRIC_EXPORT_INTERVAL": "200",
        }
        async with (
            gateway("--supergraph", str(file), "--port", "0", env=env) as running,
            aiohttp.ClientSession() as session,
        ):
            for _ in range(2):
                async with session.post(running.graphql_url, json={"query": "{ ping }"}) as r:
                    assert await r.json() == {"data": {"ping": "pong"}}
            for _ in range(100):  # pushed every 200 ms
                if receiver.points.get(names.SUBGRAPH_REQUEST_DURATION.otel):
                    break
                await asyncio.sleep(0.1)

    http = receiver.points[names.HTTP_SERVER_REQUEST_DURATION.otel]
    wanted = {"http.request.method": "POST", "http.response.status_code": 200}
    graphql_posts = [p for p in http if p["attributes"] == {**wanted, "http.route": "/graphql"}]
    assert max(p["count"] for p in graphql_posts) == 2  # cumulative
    assert graphql_posts[0]["unit"] == "s"
    subgraph = receiver.points[names.SUBGRAPH_REQUEST_DURATION.otel]
    assert {"subgraph.name": "products"} in [p["attributes"] for p in subgraph]
    cache = receiver.points[names.CACHE_REQUESTS.otel]
    assert {"cache.name": "document", "cache.result": "hit"} in [p["attributes"] for p in cache]
    assert names.HTTP_SERVER_ACTIVE_REQUESTS.otel in receiver.points
    assert receiver.resources[0]["service.name"] == "aggregator"
    assert receiver.resources[0]["service.instance.id"]


def test_otlp_without_its_exporter_refuses_to_start(tmp_path: Path) -> None:
    """Asking for OTLP where the exporter is not installed is one line, not a silent no-op."""
    from tests.support.gateway_process import run_command

    file = tmp_path / "supergraph.graphql"
    file.write_text(supergraph("http://127.0.0.1:9/graphql", SDL_WITHOUT_SLOW), encoding="utf-8")
    blocker = tmp_path / "block"
    blocker.mkdir()
    # the exporter module made unimportable, as on an install without the otlp extra
    (blocker / "sitecustomize.py").write_text(
        "import sys\nsys.modules['opentelemetry.exporter.otlp.proto.http.metric_exporter'] = None\n"
    )
    done = run_command(
        "serve", "--supergraph", str(file), "--port", "0",
        env={"AGGREGATOR_METRICS": "otlp", "PYTHONPATH": f"{blocker}:{Path.cwd()}"},
    )  # fmt: skip
    assert done.code == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "aggregator: error: OTLP metrics need `pip install "
        "opentelemetry-exporter-otlp-proto-http` (or `pip install 'aggregator[otlp]'`)"
    ]
