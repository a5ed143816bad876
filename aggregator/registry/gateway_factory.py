"""Build the lead's Gateway and server options from a config.

Per-subgraph settings (timeout, headers, TLS, response size, retries, circuit
breaker, error policy) become one client per subgraph: HTTP for remote ones,
in-process for ``python``/``connector`` entries, each wrapped in its resilience
policy. The URL comes from the config, so moving a subgraph is a config edit,
not a recomposition. Subgraphs the supergraph knows but the config does not (a
``supergraph_file`` config, ``serve --supergraph``) keep the supergraph's URL
and get ``subgraph_defaults``.
"""

from __future__ import annotations

from aggregator.config import ConfigError, GatewayConfig, SubgraphConfig
from aggregator.config.resilience import SubgraphDefaults, mode_errors
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.operation import DocumentPolicy
from aggregator.registry.inprocess import in_process_subgraph
from aggregator.security.ratelimit import MemoryBuckets, RateLimiter, RedisBuckets
from aggregator.security.trusted_documents import TrustedDocuments, TrustedDocumentsError
from aggregator.server.app import ServerOptions
from aggregator.server.cors import CorsPolicy
from aggregator.server.persisted import MemoryStore, RedisStore
from aggregator.supergraph import load
from aggregator.transport.base import Subgraph
from aggregator.transport.http import HttpSubgraph, HttpSubgraphOptions
from aggregator.transport.resilience import ResiliencePolicy, ResilientSubgraph


def http_options(sub: SubgraphConfig) -> HttpSubgraphOptions:
    tls = sub.tls
    return HttpSubgraphOptions(
        timeout_s=sub.timeout_s,
        headers=dict(sub.headers),
        ca_file=str(tls.ca_file) if tls is not None and tls.ca_file is not None else None,
        cert_file=str(tls.cert_file) if tls is not None and tls.cert_file is not None else None,
        key_file=str(tls.key_file) if tls is not None and tls.key_file is not None else None,
        max_response_bytes=sub.max_response_bytes,
    )


def subgraph_client(sub: SubgraphConfig) -> Subgraph:
    """The configured subgraph's client, inside its resilience and error policy."""
    if sub.in_process:
        # a function call: nothing to retry or break, but its errors are redacted the same
        policy = ResiliencePolicy(errors=sub.resilience.errors, retry=None, circuit_breaker=None)
        return ResilientSubgraph(in_process_subgraph(sub), policy)
    return ResilientSubgraph(HttpSubgraph(sub.name, sub.url, http_options(sub)), sub.resilience)


def default_subgraph(config: GatewayConfig, name: str, url: str) -> SubgraphConfig:
    """A subgraph only the supergraph names, configured by ``subgraph_defaults``."""
    defaults: SubgraphDefaults = config.subgraph_defaults
    policy = ResiliencePolicy(
        errors=defaults.errors or mode_errors(config.mode),
        retry=defaults.retry,
        circuit_breaker=defaults.circuit_breaker,
    )
    return SubgraphConfig(name, url, timeout_s=defaults.timeout_s,
                          max_response_bytes=defaults.max_response_bytes, resilience=policy)


def gateway_options(config: GatewayConfig) -> GatewayOptions:
    server, caches = config.server, config.caches
    return GatewayOptions(
        propagate_headers=server.propagate_headers,
        documents=DocumentPolicy(
            limits=config.limits,
            introspection=server.introspection,
            suggestions=server.suggestions,
            cache_bytes=caches.documents_bytes,
            max_entry_bytes=caches.document_max_bytes,
            processes=server.document_workers,
        ),
        cost=config.demand_control,
    )


def gateway_from_config(config: GatewayConfig, sdl: str) -> Gateway:
    supergraph = load(sdl)
    configured = {sub.name: sub for sub in config.subgraphs}
    for name, info in supergraph.model.subgraphs.items():
        if name not in configured and info.url:
            configured[name] = default_subgraph(config, name, info.url)
    clients = {name: subgraph_client(sub) for name, sub in configured.items()}
    gateway = Gateway(supergraph, clients, gateway_options(config))
    for name in list(gateway.subgraphs):  # e.g. an optional subgraph left out of composition
        if name not in supergraph.model.subgraphs:
            del gateway.subgraphs[name]
    return gateway


def server_options(config: GatewayConfig) -> ServerOptions:
    """The server's options; raises :class:`ConfigError` for a manifest it cannot use."""
    server, caches = config.server, config.caches
    persisted = None
    if server.apq:
        persisted = (
            RedisStore(server.redis_url, max_entry_bytes=caches.persisted_query_max_bytes)
            if server.redis_url
            else MemoryStore(caches.persisted_queries_bytes, caches.persisted_query_max_bytes)
        )
    trusted = None
    if config.trusted_documents is not None:
        settings = config.trusted_documents
        try:
            trusted = TrustedDocuments.from_files(
                settings.manifests, settings.enforcement, settings.require_id
            )
        except TrustedDocumentsError as exc:
            raise ConfigError(f"trusted_documents: {exc}", file=config.path) from exc
    limiter = None
    if config.rate_limits is not None:
        rate = config.rate_limits
        buckets = (
            RedisBuckets(server.redis_url)
            if rate.store == "redis" and server.redis_url
            else MemoryBuckets()
        )
        limiter = RateLimiter(rate.policy, buckets)
    return ServerOptions(
        max_body_bytes=server.max_body_bytes,
        graphiql=server.graphiql,
        expose_query_plans=server.expose_query_plans,
        example_operations=[(e.title, e.query) for e in config.example_operations],
        cors=CorsPolicy(frozenset(server.cors_origins)) if server.cors_origins else None,
        persisted_queries=persisted,
        trusted_documents=trusted,
        rate_limiter=limiter,
        max_concurrent_requests=server.max_concurrent_requests,
        request_timeout_s=server.request_timeout_s,
    )
