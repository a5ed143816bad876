"""Build the lead's Gateway and server options from a config.

Subgraph clients come from the one transport factory (aggregator/transport/factory.py):
per-subgraph settings (timeout, TLS, response size, retries, circuit breaker, error
policy) make one HTTP client per remote subgraph and ``python``/``connector`` entries
in-process subgraphs, each inside its resilience policy. The URL comes from the config,
so moving a subgraph is a config edit, not a recomposition. Subgraphs the supergraph
knows but the config does not (a ``supergraph_file`` config, ``serve --supergraph``)
keep the supergraph's URL and get ``subgraph_defaults``. Configured headers go
through the header rules (``security.propagation``) with the client's, so that one
place decides which value wins; ``auth:`` becomes the server's authenticator and the
published JWKS of internal tokens.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import TYPE_CHECKING

from aggregator.caching import CacheSetup, shared_store
from aggregator.config import ConfigError, GatewayConfig
from aggregator.gateway import Gateway, GatewayOptions
from aggregator.operation import DocumentPolicy
from aggregator.registry.inprocess import in_process_subgraph
from aggregator.security.authorization import (
    DisclosureHook,
    authorization_options,
    check_enforceable,
)
from aggregator.security.propagation import HeaderPropagation
from aggregator.security.ratelimit import MemoryBuckets, RateLimiter, RedisBuckets
from aggregator.security.trusted_documents import TrustedDocuments, TrustedDocumentsError
from aggregator.server.app import ServerOptions
from aggregator.server.cors import CorsPolicy
from aggregator.server.persisted import MemoryStore, RedisStore
from aggregator.supergraph import Supergraph, load
from aggregator.transport.factory import default_subgraph, subgraph_clients

if TYPE_CHECKING:  # token validation and signing load pyjwt and cryptography: only when configured
    from aggregator.security.authn import JwtAuthenticator
    from aggregator.security.internal_tokens import InternalTokenSigner

__all__ = [
    "authenticator",
    "default_subgraph",
    "gateway_from_config",
    "gateway_options",
    "server_options",
]


def gateway_options(config: GatewayConfig) -> GatewayOptions:
    """Document handling (limits, validation, budgets) and demand control from the config."""
    server, caches = config.server, config.memory
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


def authentication_configured(config: GatewayConfig) -> bool:
    """Whether callers can be anything but anonymous (the ``auth:`` section, when present)."""
    return config.auth is not None


def gateway_from_config(
    config: GatewayConfig, sdl: str, on_disclosure: DisclosureHook | None = None
) -> Gateway:
    """Raises ``AuthorizationSetupError`` (a ``ConfigError``) for a supergraph whose
    authorization directives this config cannot enforce: start-up and reloads refuse it.

    ``on_disclosure`` receives what each operation released (the worker's disclosure log);
    it outlives the gateway, which hot reload replaces."""
    supergraph = load(sdl)
    if config.supergraph_file is not None:
        check_names(config, supergraph)  # a misspelt entry explains an unserved one
    check_enforceable(
        supergraph,
        authentication_configured=authentication_configured(config),
        config=config.authorization,
        file=str(config.path.name) if config.path is not None else None,
    )
    clients = subgraph_clients(supergraph.model, config, in_process=in_process_subgraph)
    gateway = Gateway(
        supergraph,
        clients,
        dataclasses.replace(
            gateway_options(config),
            headers=header_propagation(config),
            authorization=authorization_options(config.authorization, on_disclosure),
            cache=cache_setup(config),
        ),
    )
    gateway.require_every_subgraph()
    known = set(gateway.supergraph.model.subgraphs) | {s.name for s in config.subgraphs}
    for name in config.headers.subgraphs:
        if name not in known:  # a supergraph_file config: names are known only now
            raise config.headers.subgraph_origins[name].error(f"no subgraph named '{name}'")
    return gateway


def cache_setup(config: GatewayConfig) -> CacheSetup | None:
    """The resolver cache of ``cache:`` (one store per process, kept across reloads)."""
    if not config.cache.active:
        return None
    return CacheSetup(shared_store(config.cache), config.cache)


def internal_token_signer(config: GatewayConfig) -> InternalTokenSigner | None:
    """The gateway's signer of per-subgraph tokens; raises ConfigError for an unusable key."""
    auth = config.auth
    if auth is None or auth.internal_tokens is None:
        return None
    from aggregator.security.internal_tokens import InternalTokenSigner

    return InternalTokenSigner(auth.internal_tokens)


def header_propagation(config: GatewayConfig) -> HeaderPropagation:
    """The header rules of every subgraph; raises ConfigError for a rule that cannot apply."""
    return HeaderPropagation.build(
        rules=config.headers,
        propagate=config.server.propagate_headers,
        configured={s.name: s.headers for s in config.subgraphs if s.url},
        subgraphs=[s.name for s in config.subgraphs],
        signer=internal_token_signer(config),
    )


def authenticator(config: GatewayConfig) -> JwtAuthenticator | None:
    """Who may call, from ``auth:`` (None: no authentication, everyone is anonymous)."""
    if config.auth is None:
        return None
    from aggregator.security.authn import build_authenticator

    return build_authenticator(config.auth)


def server_options(config: GatewayConfig) -> ServerOptions:
    """The server's options; raises :class:`ConfigError` for a manifest it cannot use."""
    server, caches = config.server, config.memory
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
    signer = internal_token_signer(config)
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
        authenticator=authenticator(config),
        jwks=signer.jwks_document() if signer is not None else None,
        cache_admin_token=config.cache.admin_token,
    )


def check_names(config: GatewayConfig, supergraph: Supergraph) -> None:
    """With a supergraph file, every subgraphs entry must name one of its subgraphs."""
    known = supergraph.model.subgraphs
    for index, sub in enumerate(config.subgraphs):
        if sub.name not in known:
            hint = difflib.get_close_matches(sub.name, list(known), n=1)
            suggestion = (
                f"did you mean '{hint[0]}'?" if hint else "it has: " + ", ".join(sorted(known))
            )
            raise ConfigError(
                f"'{sub.name}' is not a subgraph of {config.supergraph_file} ({suggestion})",
                file=config.path.name if config.path is not None else None,
                key=f"subgraphs[{index}].name",
            )
