"""The gateway's configuration as plain frozen data.

The loader is the only place that knows YAML; everything else (serve,
compose, check, hot reload) takes these dataclasses, so tests and embedding
code can build a config in Python without writing a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from aggregator.config.audit import AuditConfig
from aggregator.config.auth_model import AuthConfig, HeaderRules
from aggregator.config.authorization import AuthorizationConfig
from aggregator.config.cache import CacheConfig
from aggregator.config.compression import CompressionConfig
from aggregator.config.limits import MemoryBudgets
from aggregator.config.observability import ObservabilityConfig
from aggregator.config.production import Mode
from aggregator.config.resilience import SubgraphDefaults
from aggregator.config.server_tls import ServerTlsConfig
from aggregator.config.trusted import RateLimitConfig, TrustedDocumentsConfig
from aggregator.security.cost import CostPolicy
from aggregator.security.limits import OperationLimits
from aggregator.transport.redaction import ErrorPolicy
from aggregator.transport.resilience import ResiliencePolicy

MiB = 1024 * 1024


class SdlSource(StrEnum):
    """Where a subgraph's SDL comes from."""

    SERVICE = "service"  # ask the running federation subgraph: { _service { sdl } }
    FILE = "file"  # a local SDL file, re-read on change
    INTROSPECTION = "introspection"  # a plain GraphQL service, converted to a fed2 subgraph


@dataclass(frozen=True, slots=True)
class TlsConfig:
    """Trust and client identity for one subgraph; paths are already absolute."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


@dataclass(frozen=True, slots=True)
class SubgraphConfig:
    """One subgraph: remote (``url``) or in this process (``python`` or ``connector``)."""

    name: str
    url: str = ""
    sdl_source: SdlSource = SdlSource.SERVICE
    sdl_file: Path | None = None
    timeout_s: float = 30.0
    headers: Mapping[str, str] = field(default_factory=dict)
    tls: TlsConfig | None = None
    # An optional subgraph that cannot be reached at start-up is left out of the
    # composition (with a warning) instead of failing the start.
    optional: bool = False
    # In-process kinds: a strawberry/graphql-core schema ("package.module:attribute"),
    # or a REST connector SDL file whose @source base URLs ``base_urls`` may override.
    python: str | None = None
    # the config file's folder: ``python`` modules next to the config are found there
    python_path: Path | None = None
    connector_file: Path | None = None
    base_urls: Mapping[str, str] = field(default_factory=dict)
    # a larger response body is an error at the fetch's fields (None: no limit)
    max_response_bytes: int | None = 10 * MiB
    # retries, circuit breaker, and what of the subgraph's errors reach clients
    resilience: ResiliencePolicy = field(
        default_factory=lambda: ResiliencePolicy(errors=ErrorPolicy.GENERIC)
    )

    @property
    def in_process(self) -> bool:
        return self.python is not None or self.connector_file is not None

    @property
    def route(self) -> str:
        """The URL recorded in the supergraph; in-process subgraphs get a placeholder."""
        return self.url or f"inprocess://{self.name}"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Defaults are production's; the loader fills in development's for ``mode: development``."""

    host: str = "127.0.0.1"
    port: int = 4000
    graphiql: bool = False
    introspection: bool = False
    # "Did you mean ...?" in validation errors (it reveals the schema)
    suggestions: bool = False
    # automatic persisted queries (clients register their own documents)
    apq: bool = False
    # more requests than this at once are answered 503 with Retry-After (None: no limit)
    max_concurrent_requests: int | None = 512
    # a request not answered within this is answered 504 (None: no deadline)
    request_timeout_s: float | None = 60.0
    # processes that parse and validate large documents (0: a thread of the gateway)
    document_workers: int = 1
    expose_query_plans: bool = False
    max_body_bytes: int = 1_048_576
    # client request headers copied to every subgraph request (e.g. authorization)
    propagate_headers: tuple[str, ...] = ()
    # browser origins allowed to call the gateway ("*" for any; none by default)
    cors_origins: tuple[str, ...] = ()
    # shared state for every replica (persisted queries); None keeps it in process
    redis_url: str | None = None
    # on SIGTERM: keep serving with /ready at 503 this long, then close the listener ...
    shutdown_delay_s: float = 0.0
    # ... and wait this long at most for requests in flight (server/graceful.py)
    shutdown_timeout_s: float = 30.0


@dataclass(frozen=True, slots=True)
class ExampleOperation:
    """An operation GraphiQL offers as a starting point; ``query`` is always loaded."""

    title: str
    query: str
    file: Path | None = None


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """One loaded ``aggregator.yaml``.

    ``subgraphs`` alone: compose at start-up. ``supergraph_file``: serve a
    pre-composed supergraph, with ``subgraphs`` (optional) saying how this
    deployment reaches each of its subgraphs (URL overrides, in-process agencies).
    """

    path: Path | None = None
    server: ServerConfig = field(default_factory=ServerConfig)
    subgraphs: tuple[SubgraphConfig, ...] = ()
    supergraph_file: Path | None = None
    poll_interval_s: float | None = None
    example_operations: tuple[ExampleOperation, ...] = ()
    audit: AuditConfig = field(default_factory=AuditConfig)  # the disclosure log
    # who may call (None: no authentication, every caller is anonymous)
    auth: AuthConfig | None = None
    # which request headers each subgraph receives (docs/security.md)
    headers: HeaderRules = field(default_factory=HeaderRules)
    authorization: AuthorizationConfig = field(default_factory=AuthorizationConfig)
    observability: ObservabilityConfig = field(default_factory=ObservabilityConfig)
    compression: CompressionConfig = field(default_factory=CompressionConfig)
    # the gateway's own HTTPS listener (None: plain HTTP)
    tls: ServerTlsConfig | None = None
    # the resolver cache and HTTP caching (docs/caching.md)
    cache: CacheConfig = field(default_factory=CacheConfig)
    mode: Mode = Mode.PRODUCTION
    limits: OperationLimits = field(default_factory=OperationLimits)
    # demand control (@cost/@listSize); None: no estimate
    demand_control: CostPolicy | None = None
    # byte budgets of the document cache and the persisted-query store
    memory: MemoryBudgets = field(default_factory=MemoryBudgets)
    trusted_documents: TrustedDocumentsConfig | None = None
    rate_limits: RateLimitConfig | None = None
    # for subgraphs the supergraph names but ``subgraphs`` does not (a supergraph_file config)
    subgraph_defaults: SubgraphDefaults = field(default_factory=SubgraphDefaults)

    def subgraph(self, name: str) -> SubgraphConfig:
        for sub in self.subgraphs:
            if sub.name == name:
                return sub
        raise KeyError(name)

    def subgraph_urls(self) -> dict[str, str]:
        """Name -> URL, as ``Gateway.from_supergraph_sdl(subgraph_urls=...)`` takes it."""
        return {s.name: s.url for s in self.subgraphs if s.url}

    def watched_files(self) -> tuple[Path, ...]:
        """Files whose change must trigger a rebuild of the supergraph."""
        files: list[Path] = []
        if self.path is not None:
            files.append(self.path)
        if self.supergraph_file is not None:
            files.append(self.supergraph_file)
        files.extend(s.sdl_file for s in self.subgraphs if s.sdl_file is not None)
        files.extend(s.connector_file for s in self.subgraphs if s.connector_file is not None)
        for sub in self.subgraphs:  # certificate rotation applies without a restart
            if sub.tls is not None:
                files.extend(
                    p
                    for p in (sub.tls.ca_file, sub.tls.cert_file, sub.tls.key_file)
                    if p is not None
                )
        return tuple(files)
