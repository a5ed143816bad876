"""Subgraphs that run inside the gateway process, built from their config entry.

A Python agency module (``python: package.module:schema``) or a REST
connector (``connector: file.graphql``) answers subgraph requests as a
function call. SDL fetching and the gateway use the same constructor, so the
SDL that was composed is the SDL of the schema that serves.
"""

from __future__ import annotations

import os

from aggregator.config import SubgraphConfig
from aggregator.connectors import Connector, ConnectorSchemaError
from aggregator.registry.errors import SdlFetchError
from aggregator.transport.base import Subgraph
from aggregator.transport.inprocess import load_python_subgraph

CURSOR_KEY_ENV = "AGGREGATOR_CURSOR_KEY"
_process_key: bytes | None = None


def cursor_key() -> bytes:
    """Signs connector page cursors: ``AGGREGATOR_CURSOR_KEY`` (shared by replicas), else one
    random key per process, so cursors stay valid across hot reloads."""
    global _process_key
    configured = os.environ.get(CURSOR_KEY_ENV)
    if configured:
        return configured.encode()
    if _process_key is None:
        _process_key = os.urandom(32)
    return _process_key


def describe(cfg: SubgraphConfig) -> str:
    """Where an in-process subgraph comes from, for error messages."""
    if cfg.python is not None:
        return f"python {cfg.python}"
    return f"connector {cfg.connector_file}"


def in_process_subgraph(cfg: SubgraphConfig) -> Subgraph:
    """Build the subgraph; every failure is an :class:`SdlFetchError` naming it."""
    try:
        if cfg.python is not None:
            return load_python_subgraph(cfg.name, cfg.python)
        assert cfg.connector_file is not None
        sdl = cfg.connector_file.read_text(encoding="utf-8")
        connector = Connector(sdl, name=cfg.name, signing_key=cursor_key(),
                              base_urls=dict(cfg.base_urls))
        return connector.subgraph()
    except ImportError as exc:
        raise SdlFetchError(cfg.name, describe(cfg), f"cannot import: {exc}") from exc
    except (AttributeError, TypeError, ValueError, OSError, ConnectorSchemaError) as exc:
        raise SdlFetchError(cfg.name, describe(cfg), f"cannot load: {exc}") from exc
