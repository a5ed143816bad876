"""Wire the four demo agencies into subgraphs the gateway can call.

identity: strawberry module in-process. dmv, tax: REST connectors in-process
over their aiohttp backends. health: a strawberry subgraph the demo serves
over HTTP (the gateway reaches it by URL). Schema files live under
``schemas/`` at the repository root, where schema authors read and edit
them; ``aggregator/demo/schemas`` links there so that the wheel carries them
as package data and ``aggregator demo`` works wherever it is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

from aggregator.connectors import Connector, ConnectorSubgraph
from aggregator.transport.inprocess import InProcessSubgraph

__all__ = [
    "SCHEMAS_DIR",
    "SUBGRAPH_NAMES",
    "connector_subgraph",
    "cursor_key",
    "identity_subgraph",
]

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
SUBGRAPH_NAMES = ("identity", "dmv", "tax", "health")


def cursor_key() -> bytes:
    """The pagination signing key: ``AGGREGATOR_CURSOR_KEY`` (shared by replicas) or random."""
    configured = os.environ.get("AGGREGATOR_CURSOR_KEY")
    return configured.encode() if configured else os.urandom(32)


def connector_subgraph(name: str, base_url: str, key: bytes) -> ConnectorSubgraph:
    sdl = (SCHEMAS_DIR / name / "connector.graphql").read_text()
    return Connector(sdl, name=name, signing_key=key, base_urls={name: base_url}).subgraph()


def identity_subgraph() -> InProcessSubgraph:
    from resolvers.identity import schema

    return InProcessSubgraph("identity", schema)
