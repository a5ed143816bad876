"""Prometheus metrics of a real ``aggregator serve`` process, scraped over HTTP.

The gateway runs as a subprocess against a real subgraph (and one that is
down); the numbers scraped must equal the requests the test sent, with one
worker and with two (multi-process mode sums the workers' files).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from aggregator.observability import metric_names as names
from tests.reload.backends import SDL_WITH_SLOW, SDL_WITHOUT_SLOW, Backend
from tests.support.gateway_process import gateway
from tests.support.servers import free_port, serve_asgi

DOWN_SDL = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\n'
    "type Query { unreachable: String }\n"
)


def write_config(tmp_path: Path, subgraph_url: str, metrics: str) -> Path:
    (tmp_path / "products.graphql").write_text(SDL_WITHOUT_SLOW, encoding="utf-8")
    (tmp_path / "down.graphql").write_text(DOWN_SDL, encoding="utf-8")
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        "subgraphs:\n"
        f"  - name: products\n    url: {subgraph_url}/graphql\n"
        "    sdl_source: file\n    sdl_file: products.graphql\n"
        f"  - name: down\n    url: http://127.0.0.1:{free_port()}/graphql\n"
        "    sdl_source: file\n    sdl_file: down.graphql\n"
        f"observability:\n  metrics:\n{metrics}",
        encoding="utf-8",
    )
    return config


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(scraped: dict[Any, float], name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


async def post(session: aiohttp.ClientSession, url: str, query: str) -> Any:
    async with session.post(url, json={"query": query}) as response:
        return await response.json()


async def scrape(session: aiohttp.ClientSession, url: str) -> dict[Any, float]:
    async with session.get(url) as response:
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/plain")
        return samples(await response.text())


async def test_metrics_count_requests_subgraphs_caches_and_reloads(tmp_path: Path) -> None:
    backend = Backend()
    async with serve_asgi(backend.app) as subgraph_url:
        config = write_config(
            tmp_path, subgraph_url, "    prometheus: true\n    listen: 127.0.0.1:0\n"
        )
        async with (
            gateway("--config", str(config), "--port", "0") as running,
            aiohttp.ClientSession() as session,
        ):
            assert running.metrics_url is not None
            assert running.metrics_url.startswith("http://127.0.0.1:")  # loopback by default
            for _ in range(3):
                assert await post(session, running.graphql_url, "{ ping }") == {
                    "data": {"ping": "pong"}
                }
            down = await post(session, running.graphql_url, "{ unreachable }")
            assert down["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
            invalid = await post(session, running.graphql_url, "{ nope }")
            assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            async with session.get(f"{running.base_url}/metrics") as response:
                assert response.status == 404  # not on the public port unless configured

            scraped = await scrape(session, running.metrics_url)
            duration = names.HTTP_SERVER_REQUEST_DURATION.prometheus
            ok = {
                "http_request_method": "POST",
                "http_response_status_code": "200",
                "http_route": "/graphql",
            }
            assert value(scraped, f"{duration}_count", **ok) == 5
            assert value(scraped, f"{duration}_bucket", **ok, le="+Inf") == 5
            assert value(scraped, f"{duration}_sum", **ok) > 0
            not_found = {**ok, "http_request_method": "GET", "http_response_status_code": "404",
                         "http_route": "other"}  # fmt: skip
            assert value(scraped, f"{duration}_count", **not_found) == 1
            assert value(scraped, names.HTTP_SERVER_ACTIVE_REQUESTS.prometheus,
                         http_request_method="POST") == 0  # fmt: skip
            subgraph = names.SUBGRAPH_REQUEST_DURATION.prometheus
            assert value(scraped, f"{subgraph}_count", subgraph_name="products") == 3
            assert value(scraped, f"{subgraph}_count", subgraph_name="down") == 1
            errors = names.SUBGRAPH_REQUEST_ERRORS.prometheus
            assert value(scraped, errors, subgraph_name="down",
                         error_type="SUBREQUEST_HTTP_ERROR") == 1  # fmt: skip
            assert value(scraped, errors, subgraph_name="products", error_type="graphql") == 0
            cache = names.CACHE_REQUESTS.prometheus
            assert value(scraped, cache, cache_name="document", cache_result="miss") == 3
            assert value(scraped, cache, cache_name="document", cache_result="hit") == 2
            assert value(scraped, cache, cache_name="plan", cache_result="miss") == 2
            assert value(scraped, cache, cache_name="plan", cache_result="hit") == 2
            assert backend.requests == 3

            reloads = names.SUPERGRAPH_RELOADS.prometheus
            (tmp_path / "products.graphql").write_text(SDL_WITH_SLOW, encoding="utf-8")
            await running.wait_for_log("supergraph reloaded")
            (tmp_path / "products.graphql").write_text("type Query {", encoding="utf-8")
            await running.wait_for_log("supergraph not reloaded")
            scraped = await scrape(session, running.metrics_url)
            assert value(scraped, reloads, result="success") == 1
            assert value(scraped, reloads, result="failure") == 1


async def test_two_workers_report_the_sum_of_both(tmp_path: Path) -> None:
    backend = Backend()
    async with serve_asgi(backend.app) as subgraph_url:
        config = write_config(
            tmp_path, subgraph_url, "    prometheus: true\n    listen: 127.0.0.1:0\n"
        )
        async with gateway("--config", str(config), "--port", "0", "--workers", "2") as running:
            assert running.metrics_url is not None
            # separate connections, so the kernel spreads them over both workers
            for _ in range(4):
                async with aiohttp.ClientSession() as session:
                    await asyncio.gather(
                        *(post(session, running.graphql_url, "{ ping }") for _ in range(5))
                    )
            async with aiohttp.ClientSession() as session:
                scraped = await scrape(session, running.metrics_url)
    duration = names.HTTP_SERVER_REQUEST_DURATION.prometheus
    ok = {
        "http_request_method": "POST",
        "http_response_status_code": "200",
        "http_route": "/graphql",
    }
    assert value(scraped, f"{duration}_count", **ok) == 20
    cache = names.CACHE_REQUESTS.prometheus
    hits = value(scraped, cache, cache_name="document", cache_result="hit")
    misses = value(scraped, cache, cache_name="document", cache_result="miss")
    assert hits + misses == 20
    assert 1 <= misses <= 2  # each worker parses the document once


async def test_metrics_on_the_main_port_when_configured(tmp_path: Path) -> None:
    backend = Backend()
    async with serve_asgi(backend.app) as subgraph_url:
        config = write_config(
            tmp_path,
            subgraph_url,
            "    prometheus: true\n    listen: main\n    path: /internal/metrics\n",
        )
        async with (
            gateway("--config", str(config), "--port", "0") as running,
            aiohttp.ClientSession() as session,
        ):
            assert running.metrics_url is None  # no second listener
            await post(session, running.graphql_url, "{ ping }")
            scraped = await scrape(session, f"{running.base_url}/internal/metrics")
            assert value(scraped, f"{names.SUBGRAPH_REQUEST_DURATION.prometheus}_count",
                         subgraph_name="products") == 1  # fmt: skip
            # the scrape is itself a request with a route of its own
            scraped = await scrape(session, f"{running.base_url}/internal/metrics")
            assert value(scraped, f"{names.HTTP_SERVER_REQUEST_DURATION.prometheus}_count",
                         http_request_method="GET", http_response_status_code="200",
                         http_route="/internal/metrics") == 1  # fmt: skip
