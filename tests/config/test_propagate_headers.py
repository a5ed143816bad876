"""Only the client headers the config lists reach the subgraphs."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from aggregator.config import load_config
from aggregator.registry.gateway_factory import gateway_from_config
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi


class _Recorder:
    def __init__(self, app: FederatedSubgraph) -> None:
        self.app = app
        self.headers: list[dict[str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
        await self.app(scope, receive, send)


async def test_listed_headers_are_forwarded_and_nothing_else(tmp_path: Path) -> None:
    recorder = _Recorder(FederatedSubgraph("products", SDLS["products"], RESOLVERS["products"]))
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(recorder)) + "/graphql"
        config_file = tmp_path / "aggregator.yaml"
        config_file.write_text(
            "server:\n"
            "  propagate_headers: [Authorization]\n"
            "subgraphs:\n"
            f"  - name: products\n    url: {url}\n    sdl_source: file\n"
            "    sdl_file: products.graphql\n"
        )
        (tmp_path / "products.graphql").write_text(SDLS["products"])
        config = load_config(config_file)
        assert config.server.propagate_headers == ("authorization",)
        gateway = gateway_from_config(config, SUPERGRAPH)
        stack.push_async_callback(gateway.close)
        result = await gateway.execute(
            "{ topProducts(first: 1) { name } }",
            headers={"authorization": "Bearer citizen-7", "cookie": "session=secret"},
        )
    assert result == {"data": {"topProducts": [{"name": "Table"}]}}
    [sent] = recorder.headers
    assert sent["authorization"] == "Bearer citizen-7"
    assert "cookie" not in sent
