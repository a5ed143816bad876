"""Subgraphs that run inside the gateway process, built from their config entry.

A Python agency module (``python: package.module:schema``) or a REST
connector (``connector: file.graphql``) answers subgraph requests as a
function call. SDL fetching and the gateway use the same constructor, so the
SDL that was composed is the SDL of the schema that serves.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

from graphql import GraphQLError

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


def _import_module(cfg: SubgraphConfig) -> None:
    """Import the module of ``python: module:attribute``, from the config's folder first.

    Module paths follow the config's folder as file paths do; whatever the
    module raises while importing becomes one line naming its file and line.
    """
    assert cfg.python is not None
    module_name = cfg.python.partition(":")[0]
    if cfg.python_path is not None and str(cfg.python_path) not in sys.path:
        sys.path.insert(0, str(cfg.python_path))
    try:
        importlib.import_module(module_name)
    except SyntaxError as exc:
        where = f"{exc.filename}:{exc.lineno}: " if exc.filename else ""
        raise SdlFetchError(cfg.name, describe(cfg), f"{where}{exc.msg}") from None
    except ImportError as exc:
        looked = f" (looked in {cfg.python_path} and the Python path)" if cfg.python_path else ""
        raise SdlFetchError(cfg.name, describe(cfg), f"cannot import: {exc}{looked}") from None
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        last = frames[-1] if frames else None
        where = f" at {last.filename}:{last.lineno}" if last is not None else ""
        raise SdlFetchError(
            cfg.name,
            describe(cfg),
            f"importing the module raised {type(exc).__name__}: {exc}{where}",
        ) from None


def in_process_subgraph(cfg: SubgraphConfig) -> Subgraph:
    """Build the subgraph; every failure is an :class:`SdlFetchError` naming it."""
    if cfg.python is not None:
        _import_module(cfg)
    try:
        if cfg.python is not None:
            return load_python_subgraph(cfg.name, cfg.python)
        assert cfg.connector_file is not None
        sdl = cfg.connector_file.read_text(encoding="utf-8")
        connector = Connector(
            sdl, name=cfg.name, signing_key=cursor_key(), base_urls=dict(cfg.base_urls)
        )
        return connector.subgraph()
    except ImportError as exc:
        raise SdlFetchError(cfg.name, describe(cfg), f"cannot import: {exc}") from exc
    except GraphQLError as exc:  # the connector SDL does not parse
        raise SdlFetchError(cfg.name, describe(cfg), _located(cfg, exc)) from None
    except (AttributeError, TypeError, ValueError, OSError, ConnectorSchemaError) as exc:
        raise SdlFetchError(cfg.name, describe(cfg), f"cannot load: {exc}") from exc


def _located(cfg: SubgraphConfig, error: GraphQLError) -> str:
    """``file:line:column: message``, the way compilers point at a syntax error."""
    location = error.locations[0] if error.locations else None
    if cfg.connector_file is None or location is None:
        return error.message
    return f"{cfg.connector_file}:{location.line}:{location.column}: {error.message}"
