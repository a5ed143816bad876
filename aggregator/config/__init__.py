"""Gateway configuration: the ``aggregator.yaml`` model, its loader and TLS helper."""

from aggregator.config.authorization import (
    AuthorizationConfig,
    AuthorizationMode,
    PolicyEngineConfig,
)
from aggregator.config.errors import ConfigError
from aggregator.config.loader import load_config, parse_config
from aggregator.config.model import (
    ExampleOperation,
    GatewayConfig,
    SdlSource,
    ServerConfig,
    SubgraphConfig,
    TlsConfig,
)
from aggregator.config.tls import ssl_context

__all__ = [
    "AuthorizationConfig",
    "AuthorizationMode",
    "ConfigError",
    "ExampleOperation",
    "GatewayConfig",
    "PolicyEngineConfig",
    "SdlSource",
    "ServerConfig",
    "SubgraphConfig",
    "TlsConfig",
    "load_config",
    "parse_config",
    "ssl_context",
]
