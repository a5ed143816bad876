"""REST connectors: REST backends declared in SDL directives, run as in-process subgraphs."""

from aggregator.connectors.cursors import CursorCodec
from aggregator.connectors.directives import DIRECTIVE_DEFINITIONS, ConnectorSchemaError
from aggregator.connectors.schema import Connector, ConnectorSubgraph, build_connector_schema

__all__ = [
    "DIRECTIVE_DEFINITIONS",
    "Connector",
    "ConnectorSchemaError",
    "ConnectorSubgraph",
    "CursorCodec",
    "build_connector_schema",
]
