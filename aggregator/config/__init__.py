"""Gateway configuration: the ``aggregator.yaml`` model, its loader and TLS helper."""

from aggregator.config.audit import AuditConfig, FsyncPolicy
from aggregator.config.auth_model import (
    AuthConfig,
    HeaderRule,
    HeaderRules,
    InternalTokenConfig,
    IssuerConfig,
    JwksCacheConfig,
)
from aggregator.config.authorization import (
    AuthorizationConfig,
    AuthorizationMode,
    PolicyEngineConfig,
)
from aggregator.config.compression import CompressionConfig
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
from aggregator.config.observability import MetricsConfig, ObservabilityConfig
from aggregator.config.server_tls import ServerTlsConfig
from aggregator.config.tls import ssl_context

__all__ = [
    "AuditConfig",
    "AuthConfig",
    "AuthorizationConfig",
    "AuthorizationMode",
    "CompressionConfig",
    "ConfigError",
    "ExampleOperation",
    "FsyncPolicy",
    "GatewayConfig",
    "HeaderRule",
    "HeaderRules",
    "InternalTokenConfig",
    "IssuerConfig",
    "JwksCacheConfig",
    "MetricsConfig",
    "ObservabilityConfig",
    "PolicyEngineConfig",
    "SdlSource",
    "ServerConfig",
    "ServerTlsConfig",
    "SubgraphConfig",
    "TlsConfig",
    "load_config",
    "parse_config",
    "ssl_context",
]
