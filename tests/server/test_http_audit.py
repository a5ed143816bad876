"""The public GraphQL-over-HTTP conformance audits (graphql-http), run against the gateway.

Every audit must pass, the optional (SHOULD/MAY) ones included: a warning is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from pathlib import Path

from aggregator.gateway import Gateway
from aggregator.server import create_app
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

ORACLE = Path(__file__).parent.parent / "oracle"


async def test_graphql_over_http_audits_all_pass() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required (scripts/setup installs the npm packages)"
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name in SDLS:
            app = FederatedSubgraph(name, SDLS[name], RESOLVERS[name])
            urls[name] = await stack.enter_async_context(serve_asgi(app)) + "/graphql"
        gateway = Gateway.from_supergraph_sdl(SUPERGRAPH, subgraph_urls=urls)
        base = await stack.enter_async_context(serve_asgi(create_app(gateway)))
        process = await asyncio.create_subprocess_exec(
            node,
            str(ORACLE / "http_audit.mjs"),
            base + "/graphql",
            cwd=ORACLE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
    results = json.loads(out)
    assert len(results) >= 30
    failures = [
        f"{r['id']} {r['name']}: {r['status']} {r['reason']}"
        for r in results
        if r["status"] != "ok"
    ]
    assert failures == []
