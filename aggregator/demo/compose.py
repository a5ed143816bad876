"""Regenerate the demo's subgraph SDL files and its supergraph.

    python -m aggregator.demo.compose

Writes each agency's ``_service { sdl }`` to ``schemas/<agency>/subgraph.graphql``
and composes them with @apollo/composition (``npm ci`` in tests/oracle first)
into ``schemas/demo/supergraph.graphql``. The Python composer can replace the
node step once it exists.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys

from aggregator.demo.agencies import SCHEMAS_DIR, connector_subgraph, identity_subgraph
from aggregator.transport.base import SubgraphRequest
from aggregator.transport.inprocess import InProcessSubgraph

__all__ = ["SUBGRAPH_URLS", "compose_with_apollo", "main", "service_sdls"]

# Where the supergraph says each agency lives; the demo overrides them at start.
SUBGRAPH_URLS = {
    "identity": "http://identity.invalid/graphql",
    "dmv": "http://dmv.invalid/graphql",
    "tax": "http://tax.invalid/graphql",
    "health": "http://127.0.0.1:4001/graphql",
}


async def service_sdls() -> dict[str, str]:
    """Each demo agency's SDL, exactly as its subgraph reports it."""
    from resolvers.health import schema as health

    subgraphs = [
        identity_subgraph(),
        connector_subgraph("dmv", "http://dmv.invalid", b"x" * 32),
        connector_subgraph("tax", "http://tax.invalid", b"x" * 32),
        InProcessSubgraph("health", health),
    ]
    out: dict[str, str] = {}
    for subgraph in subgraphs:
        response = await subgraph.fetch(SubgraphRequest("{ _service { sdl } }"))
        assert response.data is not None, response.errors
        out[subgraph.name] = response.data["_service"]["sdl"]
        await subgraph.close()
    return out


def compose_with_apollo(subgraphs: list[tuple[str, str, str]]) -> str:
    """Supergraph SDL for ``(name, url, sdl)`` triples, by @apollo/composition (node)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed")
    payload = json.dumps([{"name": n, "url": url, "sdl": sdl} for n, url, sdl in subgraphs])
    result = subprocess.run(
        [node, str(SCHEMAS_DIR / "demo" / "compose.mjs")],
        input=payload,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"composition failed:\n{result.stderr}")
    return result.stdout


def main() -> int:
    sdls = asyncio.run(service_sdls())
    for name, sdl in sdls.items():
        (SCHEMAS_DIR / name / "subgraph.graphql").write_text(sdl)
    try:
        supergraph = compose_with_apollo(
            [(name, SUBGRAPH_URLS[name], sdl) for name, sdl in sdls.items()]
        )
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    (SCHEMAS_DIR / "demo" / "supergraph.graphql").write_text(supergraph)
    print(f"wrote {SCHEMAS_DIR / 'demo' / 'supergraph.graphql'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
