"""Record the demo walk-through as answered by Apollo Gateway (the reference).

    python -m tests.demo.record_golden      # needs `npm ci` in tests/oracle

Starts the four demo agencies, serves the in-process ones over HTTP, runs
Apollo Gateway over schemas/demo/supergraph.graphql, sends the example
queries and writes tests/demo/golden/*.json. tests/demo/test_demo.py then
holds our gateway to the same answers.

Apollo Gateway enforces no authorization directives (only Apollo Router does), and
refuses a supergraph that links them ``for: SECURITY``: it is given the supergraph
with that purpose dropped, so it ignores them, and the goldens are the answers for
a caller holding every grant (authorization only ever withholds or masks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from aggregator.demo.agencies import SCHEMAS_DIR
from aggregator.demo.app import demo_agencies
from aggregator.demo.serving import serve_asgi_app, subgraph_asgi_app
from tests.demo.walkthrough import QUERIES, comparable

HERE = Path(__file__).parent


def unenforced_supergraph(directory: Path) -> Path:
    """The demo supergraph with its security features linked as plain (ignorable) ones."""
    sdl = (SCHEMAS_DIR / "demo" / "supergraph.graphql").read_text()
    path = directory / "supergraph.graphql"
    path.write_text(sdl.replace(", for: SECURITY)", ")"))
    return path


async def record() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required"
    async with demo_agencies() as agencies, contextlib.AsyncExitStack() as stack:
        supergraph = unenforced_supergraph(Path(stack.enter_context(tempfile.TemporaryDirectory())))
        urls = dict(agencies.subgraph_urls)
        for name, subgraph in agencies.subgraphs.items():
            base = await stack.enter_async_context(serve_asgi_app(subgraph_asgi_app(subgraph)))
            urls[name] = f"{base}/graphql"
        process = await asyncio.create_subprocess_exec(
            node,
            str(HERE / "apollo_gateway.mjs"),
            str(supergraph),
            json.dumps(urls),
            stdout=subprocess.PIPE,
        )
        try:
            assert process.stdout is not None
            gateway_url = (await process.stdout.readline()).decode().strip()
            (HERE / "golden").mkdir(exist_ok=True)
            async with aiohttp.ClientSession() as session:
                for name, (query, variables) in QUERIES.items():
                    async with session.post(
                        gateway_url, json={"query": query, "variables": variables}
                    ) as response:
                        body: dict[str, Any] = await response.json()
                    (HERE / "golden" / f"{name}.json").write_text(
                        json.dumps(comparable(body), indent=2, sort_keys=True) + "\n"
                    )
                    print(f"recorded {name}: errors={body.get('errors')}")
        finally:
            process.terminate()
            await process.wait()


if __name__ == "__main__":
    asyncio.run(record())
