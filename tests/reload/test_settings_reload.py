"""Hot reload applies subgraph settings that leave every SDL unchanged, and says what changed."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aggregator.config import load_config
from aggregator.registry.live import start_live_gateway
from aggregator.server import create_app
from tests.reload.backends import SDL_WITHOUT_SLOW, Backend
from tests.reload.test_gateway_factory import recording
from tests.support.servers import serve_asgi


async def test_a_header_and_timeout_edit_swaps_the_gateway_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backend = Backend()
    seen: list[dict[bytes, bytes]] = []
    (tmp_path / "products.graphql").write_text(SDL_WITHOUT_SLOW, encoding="utf-8")
    config = tmp_path / "aggregator.yaml"

    def write(url: str, agency: str, timeout: float, port: int = 4000) -> None:
        config.write_text(
            f"server: {{port: {port}, document_workers: 0}}\n"
            f"subgraphs:\n  - name: products\n    url: {url}/graphql\n"
            "    sdl_source: file\n    sdl_file: products.graphql\n"
            f"    timeout_s: {timeout}\n"
            f"    headers: {{X-Agency: {agency}, Authorization: 'Bearer secret-{agency}'}}\n",
            encoding="utf-8",
        )

    async def ping(session: aiohttp.ClientSession, url: str) -> Any:
        async with session.post(url + "/graphql", json={"query": "{ ping }"}) as response:
            return await response.json()

    async with serve_asgi(recording(backend.app, seen)) as subgraph_url:
        write(subgraph_url, "dmv", 5)
        live = await start_live_gateway(load_config(config), file_interval_s=3600)
        try:
            async with (
                serve_asgi(create_app(live.holder)) as gateway_url,
                aiohttp.ClientSession() as session,
            ):
                assert await ping(session, gateway_url) == {"data": {"ping": "pong"}}
                write(subgraph_url, "tax", 2, port=4001)
                with caplog.at_level(logging.INFO, logger="aggregator.reload"):
                    assert await live.watcher.check_once() is True
                assert await ping(session, gateway_url) == {"data": {"ping": "pong"}}
                assert live.holder.swaps == 2
        finally:
            await live.close()
    assert [h[b"x-agency"] for h in seen if b"x-agency" in h] == [b"dmv", b"tax"]
    messages = [r.getMessage() for r in caplog.records]
    [applied] = [m for m in messages if m.startswith("applying config changes: ")]
    assert applied == (
        "applying config changes: subgraph products: timeout_s 5.0 -> 2.0; "
        "subgraph products: headers Authorization, X-Agency changed"
    )
    assert "secret" not in " ".join(messages)
    assert "config section server changed; it applies after a restart" in messages
