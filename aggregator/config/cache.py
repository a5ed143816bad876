"""The ``cache:`` section of ``aggregator.yaml``: the resolver cache and HTTP caching.

Kept in its own module (model and reader together) so ``aggregator.caching``
can take these settings without the loader, and the loader needs one line to
read the section. Names that can only be checked against the supergraph (types,
and subgraphs of a ``supergraph_file`` config) keep their :class:`Origin`, so
the error raised when the gateway is built still names the line.

Nothing is cached unless it is marked cacheable: by ``@cacheControl`` in a
subgraph, by a subgraph's or REST backend's ``Cache-Control`` response header,
or by listing its subgraph or type here (docs/caching.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import yaml

from aggregator.config.auth import HEADER_NAME
from aggregator.config.auth_model import Origin
from aggregator.config.nodes import NodeReader

__all__ = [
    "MIN_ADMIN_TOKEN_LENGTH",
    "CacheBackendKind",
    "CacheConfig",
    "CacheOverride",
    "RedisCacheConfig",
    "read_cache",
]

MIN_ADMIN_TOKEN_LENGTH = 32

_KEYS = (
    "enabled",
    "backend",
    "max_bytes",
    "redis",
    "default_ttl_s",
    "max_ttl_s",
    "private",
    "subgraphs",
    "types",
    "response_headers",
    "invalidate_on_mutation",
    "admin_token",
    "rest_http_cache",
    "rest_keep_stale_s",
    "vary_headers",
    "responses",
)
_REDIS_KEYS = ("url", "cluster", "timeout_ms", "key_prefix", "max_backoff_s")
_OVERRIDE_KEYS = ("enabled", "ttl_s", "private")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {
    None: 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TYPE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MIN_MAX_BYTES = 64 * 1024


class CacheBackendKind(StrEnum):
    """Where entries live."""

    MEMORY = "memory"  # in this process, bounded in bytes (the default)
    REDIS = "redis"  # one Redis or Redis Cluster shared by every replica


@dataclass(frozen=True, slots=True)
class RedisCacheConfig:
    url: str
    cluster: bool = False
    # every Redis call is bounded by this; past it the request bypasses the cache
    timeout_ms: float = 50.0
    key_prefix: str = "aggregator:cache"
    # after a failure Redis is left alone for 100 ms, doubling up to this
    max_backoff_s: float = 5.0


@dataclass(frozen=True, slots=True)
class CacheOverride:
    """An operator's decision for one subgraph or type.

    Listing a subgraph or type marks it cacheable: ``ttl_s`` (or the section's
    ``default_ttl_s``) replaces the max age hints and headers give, except an
    explicit ``@cacheControl(maxAge: 0)`` or ``Cache-Control: no-store``.
    ``private`` only ever makes data more private; nothing here makes PRIVATE data public.
    """

    enabled: bool = True
    ttl_s: float | None = None
    private: bool = False
    origin: Origin = field(default_factory=Origin, compare=False)


@dataclass(frozen=True, slots=True)
class CacheConfig:
    # the resolver cache (entity and root-fetch entries); off unless the section says so
    enabled: bool = False
    backend: CacheBackendKind = CacheBackendKind.MEMORY
    max_bytes: int = 64 * 1024 * 1024
    redis: RedisCacheConfig | None = None
    default_ttl_s: float = 60.0
    max_ttl_s: float = 86400.0
    # cache PRIVATE data per subject (never for anonymous callers); false: never cache it
    private: bool = True
    subgraphs: Mapping[str, CacheOverride] = field(default_factory=dict)
    types: Mapping[str, CacheOverride] = field(default_factory=dict)
    # Cache-Control and ETag (304 on GET) on GraphQL responses (a cache: section turns it on)
    response_headers: bool = False
    # a mutation's returned entities are purged from the cache
    invalidate_on_mutation: bool = True
    # bearer token of POST /admin/cache/purge (None: no admin endpoint)
    admin_token: str | None = field(default=None, repr=False)
    # REST connectors keep GET responses per HTTP caching (max-age, ETag revalidation)
    rest_http_cache: bool = True
    # how long a stale REST response with a validator is kept for revalidation
    rest_keep_stale_s: float = 3600.0
    # client request headers (lower-case) whose value is part of every key, e.g. accept-language
    vary_headers: tuple[str, ...] = ()
    # keep whole responses made only of cached parts (same tags, shortest freshness)
    responses: bool = True
    origin: Origin = field(default_factory=Origin, compare=False)

    @property
    def active(self) -> bool:
        """Whether anything at all runs: the resolver cache or the response headers."""
        return self.enabled or self.response_headers

    def store_key(self) -> tuple[object, ...]:
        """What decides the backend: equal keys share one store across hot reloads."""
        return (self.backend, self.max_bytes, self.redis)


def _expand(
    reader: NodeReader, node: yaml.Node, key: str, value: str, env: Mapping[str, str]
) -> str:
    def replace(match: re.Match[str]) -> str:
        var = match.group(1)
        if var not in env:
            raise reader.error(node, key, f"environment variable {var} is not set")
        return env[var]

    return _ENV.sub(replace, value)


def _size(reader: NodeReader, node: yaml.Node, key: str) -> int:
    if isinstance(node, yaml.ScalarNode) and not node.value.strip().isdigit():
        match = _SIZE.match(node.value)
        if match is None:
            raise reader.error(
                node, key, f"must be a size such as 67108864 or '64MiB', got {node.value!r}"
            )
        unit = match.group(2).lower() if match.group(2) else None
        size = int(float(match.group(1)) * _UNITS[unit])
    else:
        size = reader.scalar(node, key, int, "a size in bytes (or '64MiB')")
    if size < _MIN_MAX_BYTES:
        raise reader.error(node, key, f"must be at least {_MIN_MAX_BYTES} bytes, got {size}")
    return size


def _flag(reader: NodeReader, node: yaml.Node, key: str) -> bool:
    return reader.scalar(node, key, bool, "true or false")


def _redis(reader: NodeReader, node: yaml.Node, env: Mapping[str, str]) -> RedisCacheConfig:
    f = reader.mapping(node, "cache.redis", _REDIS_KEYS)
    if "url" not in f:
        raise reader.error(node, "cache.redis.url", "required: redis://host:port/db")
    url_node = f["url"][1]
    url = _expand(
        reader, url_node, "cache.redis.url", reader.string(url_node, "cache.redis.url"), env
    )
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise reader.error(
            url_node,
            "cache.redis.url",
            f"must start with redis://, rediss:// or unix://, got '{url}'",
        )
    d = RedisCacheConfig(url)
    cluster = reader.optional(
        f, "cluster", lambda n: _flag(reader, n, "cache.redis.cluster"), d.cluster
    )
    timeout = reader.optional(
        f, "timeout_ms", lambda n: reader.positive(n, "cache.redis.timeout_ms"), d.timeout_ms
    )
    prefix = reader.optional(
        f, "key_prefix", lambda n: reader.string(n, "cache.redis.key_prefix"), d.key_prefix
    )
    backoff = reader.optional(
        f,
        "max_backoff_s",
        lambda n: reader.positive(n, "cache.redis.max_backoff_s"),
        d.max_backoff_s,
    )
    return RedisCacheConfig(url, cluster, timeout, prefix, backoff)


def _override(reader: NodeReader, node: yaml.Node, key: str) -> CacheOverride:
    origin = Origin(reader.label, node.start_mark.line + 1, key)
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return CacheOverride(origin=origin)  # "NAME:" alone: cacheable with default_ttl_s
    f = reader.mapping(node, key, _OVERRIDE_KEYS)
    enabled = reader.optional(f, "enabled", lambda n: _flag(reader, n, f"{key}.enabled"), True)
    ttl = reader.optional(f, "ttl_s", lambda n: reader.positive(n, f"{key}.ttl_s"), None)
    private = reader.optional(f, "private", lambda n: _flag(reader, n, f"{key}.private"), False)
    if not enabled and (ttl is not None or private):
        raise reader.error(node, key, "a disabled entry takes no ttl_s or private")
    return CacheOverride(enabled, ttl, private, origin)


def _overrides(
    reader: NodeReader, node: yaml.Node, key: str, known: frozenset[str] | None
) -> dict[str, CacheOverride]:
    out: dict[str, CacheOverride] = {}
    for name, (key_node, value_node) in reader.mapping_any(node, key).items():
        where = f"{key}.{name}"
        if not _TYPE_NAME.match(name) and key == "cache.types":
            raise reader.error(key_node, where, "not a GraphQL type name")
        if known is not None and name not in known:
            raise reader.error(
                key_node,
                where,
                "no subgraph with this name (subgraphs: " + ", ".join(sorted(known)) + ")",
            )
        out[name] = _override(reader, value_node, where)
    return out


def read_cache(
    reader: NodeReader,
    node: yaml.Node,
    env: Mapping[str, str],
    subgraphs: frozenset[str] | None = None,
) -> CacheConfig:
    """Validate the ``cache`` mapping; a present section turns the resolver cache on.

    ``subgraphs`` are the names the file lists (None for a ``supergraph_file``
    config, whose names are checked when the gateway is built).
    """
    f = reader.mapping(node, "cache", _KEYS)
    d = CacheConfig()
    enabled = reader.optional(f, "enabled", lambda n: _flag(reader, n, "cache.enabled"), True)
    backend_text = reader.optional(
        f, "backend", lambda n: reader.string(n, "cache.backend"), d.backend.value
    )
    try:
        backend = CacheBackendKind(backend_text)
    except ValueError:
        raise reader.error(
            f["backend"][1], "cache.backend", f"must be 'memory' or 'redis', got '{backend_text}'"
        ) from None
    max_bytes = reader.optional(
        f, "max_bytes", lambda n: _size(reader, n, "cache.max_bytes"), d.max_bytes
    )
    redis = reader.optional(f, "redis", lambda n: _redis(reader, n, env), None)
    if backend is CacheBackendKind.REDIS and redis is None:
        raise reader.error(node, "cache.redis", "required when backend is 'redis'")
    if backend is CacheBackendKind.MEMORY and redis is not None:
        raise reader.error(f["redis"][0], "cache.redis", "set 'backend: redis' to use Redis")
    if backend is CacheBackendKind.REDIS and "max_bytes" in f:
        raise reader.error(
            f["max_bytes"][0],
            "cache.max_bytes",
            "bounds the memory backend only; bound Redis with its maxmemory",
        )

    def seconds(name: str, default: float) -> float:
        return reader.optional(f, name, lambda n: reader.positive(n, f"cache.{name}"), default)

    default_ttl = seconds("default_ttl_s", d.default_ttl_s)
    max_ttl = seconds("max_ttl_s", d.max_ttl_s)
    if default_ttl > max_ttl:
        raise reader.error(
            f["default_ttl_s"][1], "cache.default_ttl_s", f"is above max_ttl_s ({max_ttl:g})"
        )
    private = reader.optional(f, "private", lambda n: _flag(reader, n, "cache.private"), d.private)
    empty: dict[str, CacheOverride] = {}
    subgraph_overrides = reader.optional(
        f, "subgraphs", lambda n: _overrides(reader, n, "cache.subgraphs", subgraphs), empty
    )
    type_overrides = reader.optional(
        f, "types", lambda n: _overrides(reader, n, "cache.types", None), empty
    )
    headers = reader.optional(
        f,
        "response_headers",
        lambda n: _flag(reader, n, "cache.response_headers"),
        True,
    )
    invalidate = reader.optional(
        f,
        "invalidate_on_mutation",
        lambda n: _flag(reader, n, "cache.invalidate_on_mutation"),
        d.invalidate_on_mutation,
    )
    token = None
    if "admin_token" in f:
        token_node = f["admin_token"][1]
        token = _expand(
            reader,
            token_node,
            "cache.admin_token",
            reader.string(token_node, "cache.admin_token"),
            env,
        )
        if len(token) < MIN_ADMIN_TOKEN_LENGTH:
            raise reader.error(
                token_node,
                "cache.admin_token",
                f"must be at least {MIN_ADMIN_TOKEN_LENGTH} characters "
                "(use ${VAR} to keep it out of the file)",
            )
    rest = reader.optional(
        f, "rest_http_cache", lambda n: _flag(reader, n, "cache.rest_http_cache"), d.rest_http_cache
    )
    keep_stale = seconds("rest_keep_stale_s", d.rest_keep_stale_s)
    responses = reader.optional(
        f, "responses", lambda n: _flag(reader, n, "cache.responses"), d.responses
    )
    vary: tuple[str, ...] = ()
    if "vary_headers" in f:
        names = []
        for item in reader.items(f["vary_headers"][1], "cache.vary_headers"):
            name = reader.string(item, "cache.vary_headers")
            if not HEADER_NAME.match(name):
                raise reader.error(item, "cache.vary_headers", f"not an HTTP header name: '{name}'")
            if name.lower() == "authorization":
                raise reader.error(
                    item,
                    "cache.vary_headers",
                    "authorization is covered by the caller's partition already",
                )
            names.append(name.lower())
        vary = tuple(dict.fromkeys(names))
    return CacheConfig(
        enabled=enabled,
        backend=backend,
        max_bytes=max_bytes,
        redis=redis,
        default_ttl_s=default_ttl,
        max_ttl_s=max_ttl,
        private=private,
        subgraphs=subgraph_overrides,
        types=type_overrides,
        response_headers=headers,
        invalidate_on_mutation=invalidate,
        admin_token=token,
        rest_http_cache=rest,
        rest_keep_stale_s=keep_stale,
        vary_headers=vary,
        responses=responses,
        origin=Origin(reader.label, node.start_mark.line + 1, "cache"),
    )
