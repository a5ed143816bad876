"""Read ``aggregator.yaml`` into a :class:`GatewayConfig`, or fail naming the bad line.

The file is read as a YAML node tree (``yaml.compose``), not as plain data, so
every error can point at the line of the offending key: a schema author who
typed ``timout_s`` gets ``aggregator.yaml:9: subgraphs[0].timout_s: unknown
key (did you mean 'timeout_s'?)`` instead of a silently ignored setting.
Relative paths in the file are resolved against the file's directory, and
``${VAR}`` / ``${VAR:-default}`` in any value is replaced from the environment
(``config/env.py``) so secrets and per-environment URLs stay out of the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from aggregator.config.audit import AuditConfig, read_audit
from aggregator.config.auth import read_auth
from aggregator.config.auth_model import HeaderRules
from aggregator.config.authorization import AuthorizationConfig, read_authorization
from aggregator.config.cache import CacheConfig, read_cache
from aggregator.config.compression import CompressionConfig, read_compression
from aggregator.config.env import expand_env
from aggregator.config.errors import ConfigError
from aggregator.config.headers import read_header_rules
from aggregator.config.limits import (
    MemoryBudgets,
    positive_int,
    read_demand_control,
    read_limits,
    read_memory,
)
from aggregator.config.model import (
    ExampleOperation,
    GatewayConfig,
    SdlSource,
    ServerConfig,
    SubgraphConfig,
    TlsConfig,
)
from aggregator.config.nodes import NodeReader
from aggregator.config.observability import ObservabilityConfig, read_observability
from aggregator.config.production import Mode, read_mode
from aggregator.config.resilience import (
    REMOTE_ONLY_KEYS,
    RESILIENCE_KEYS,
    SubgraphDefaults,
    read_resilience,
    read_subgraph_defaults,
)
from aggregator.config.served import check_served_subgraphs
from aggregator.config.server_tls import read_server_tls
from aggregator.config.trusted import read_rate_limits, read_trusted_documents
from aggregator.security.limits import OperationLimits
from aggregator.security.trusted_documents import Enforcement

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

_TOP_KEYS = (
    "server",
    "subgraphs",
    "supergraph_file",
    "poll_interval_s",
    "example_operations",
    "audit",
    "auth",
    "headers",
    "authorization",
    "observability",
    "compression",
    "tls",
    "cache",
    "mode",
    "limits",
    "demand_control",
    "memory",
    "subgraph_defaults",
    "trusted_documents",
    "rate_limits",
)
_SERVER_KEYS = (
    "host",
    "port",
    "graphiql",
    "expose_query_plans",
    "max_body_bytes",
    "propagate_headers",
    "cors_origins",
    "redis_url",
    "shutdown_delay_s",
    "shutdown_timeout_s",
    "introspection",
    "suggestions",
    "apq",
    "max_concurrent_requests",
    "request_timeout_s",
    "document_workers",
)
_ORIGIN = re.compile(r"^https?://[^/\s]+$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_SUBGRAPH_KEYS = (
    "name",
    "url",
    "python",
    "connector",
    "base_urls",
    "sdl_source",
    "sdl_file",
    "headers",
    "tls",
    "optional",
    *RESILIENCE_KEYS,
)
_PYTHON_TARGET = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_]\w*)?$")
_TLS_KEYS = ("ca_file", "cert_file", "key_file")
_EXAMPLE_KEYS = ("title", "file", "query")


def load_config(path: str | os.PathLike[str]) -> GatewayConfig:
    """Load and validate a config file; raises :class:`ConfigError` on any problem."""
    file = Path(path).resolve()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror or exc}", file=file) from exc
    return parse_config(text, file=file)


def parse_config(
    text: str, *, file: Path | None = None, env: Mapping[str, str] | None = None
) -> GatewayConfig:
    """Validate config text; relative paths resolve against ``file``'s directory (or cwd)."""
    reader = _Reader(file, os.environ if env is None else env)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"not valid YAML: {problem}", file=reader.label, line=line) from exc
    if root is None:
        raise ConfigError(
            "the file is empty; it needs 'subgraphs' or 'supergraph_file'", file=reader.label
        )
    return reader.gateway(expand_env(root, reader.env, reader.label))


class _Reader(NodeReader):
    """Walks the node tree; each method validates one section and knows its key path."""

    def __init__(self, file: Path | None, env: Mapping[str, str]) -> None:
        super().__init__(file)
        self.env = env
        self.mode = Mode.PRODUCTION
        self.defaults = SubgraphDefaults()

    def gateway(self, root: yaml.Node) -> GatewayConfig:
        top = self.mapping(root, "", _TOP_KEYS)
        self.mode = self.optional(top, "mode", lambda n: read_mode(self, n), Mode.PRODUCTION)
        self.defaults = self.optional(
            top, "subgraph_defaults", lambda n: read_subgraph_defaults(self, n), SubgraphDefaults()
        )
        server = self.optional(top, "server", self.server, self.server_defaults())
        subgraphs: tuple[SubgraphConfig, ...] = self.optional(top, "subgraphs", self.subgraphs, ())
        supergraph = self.optional(
            top, "supergraph_file", lambda n: self.path(n, "supergraph_file"), None
        )
        if supergraph is not None:
            check_served_subgraphs(self, top)
        if not subgraphs and supergraph is None:
            node = top["subgraphs"][1] if "subgraphs" in top else root
            raise self.error(
                node, "subgraphs", "list at least one subgraph (or give 'supergraph_file')"
            )
        poll = self.optional(
            top, "poll_interval_s", lambda n: self.positive(n, "poll_interval_s"), None
        )
        examples: tuple[ExampleOperation, ...] = self.optional(
            top, "example_operations", self.examples, ()
        )
        audit = self.optional(top, "audit", lambda n: read_audit(self, n), AuditConfig())
        auth = self.optional(top, "auth", lambda n: read_auth(self, n), None)
        headers = self.optional(
            top,
            "headers",
            lambda n: read_header_rules(
                self,
                n,
                self.env,
                configured={s.name: s.headers for s in subgraphs} if subgraphs else None,
                has_auth=auth is not None,
                has_internal_tokens=auth is not None and auth.internal_tokens is not None,
            ),
            HeaderRules(),
        )
        authorization = self.optional(
            top,
            "authorization",
            lambda n: read_authorization(self, n, self.env),
            AuthorizationConfig(),
        )
        cache = self.optional(
            top,
            "cache",
            lambda n: read_cache(
                self,
                n,
                self.env,  # a supergraph_file's subgraphs are checked at build time
                frozenset(s.name for s in subgraphs) if supergraph is None else None,
            ),
            CacheConfig(),
        )
        trusted = self.optional(
            top, "trusted_documents", lambda n: read_trusted_documents(self, n), None
        )
        if trusted is not None and trusted.enforcement is Enforcement.STRICT and server.apq:
            raise self.error(
                top["trusted_documents"][0],
                "trusted_documents.mode",
                "strict trusted documents cannot be combined with server.apq "
                "(clients could register any document)",
            )
        rate_limits = self.optional(top, "rate_limits", lambda n: read_rate_limits(self, n), None)
        if rate_limits is not None and rate_limits.store == "redis" and not server.redis_url:
            raise self.error(
                top["rate_limits"][0], "rate_limits.store", "the redis store needs server.redis_url"
            )
        return GatewayConfig(
            path=self.file,
            server=server,
            subgraphs=subgraphs,
            supergraph_file=supergraph,
            poll_interval_s=poll,
            example_operations=examples,
            audit=audit,
            auth=auth,
            headers=headers,
            authorization=authorization,
            cache=cache,
            observability=self.optional(
                top, "observability", lambda n: read_observability(self, n), ObservabilityConfig()
            ),
            compression=self.optional(
                top, "compression", lambda n: read_compression(self, n), CompressionConfig()
            ),
            tls=self.optional(top, "tls", lambda n: read_server_tls(self, n), None),
            mode=self.mode,
            limits=self.optional(top, "limits", lambda n: read_limits(self, n), OperationLimits()),
            demand_control=self.optional(
                top, "demand_control", lambda n: read_demand_control(self, n), None
            ),
            memory=self.optional(top, "memory", lambda n: read_memory(self, n), MemoryBudgets()),
            trusted_documents=trusted,
            rate_limits=rate_limits,
            subgraph_defaults=self.defaults,
        )

    def server_defaults(self) -> ServerConfig:
        conveniences = self.mode.conveniences
        return ServerConfig(
            graphiql=conveniences,
            introspection=conveniences,
            suggestions=conveniences,
            apq=conveniences,
        )

    def server(self, node: yaml.Node) -> ServerConfig:
        f = self.mapping(node, "server", _SERVER_KEYS)
        d = self.server_defaults()
        port = self.optional(
            f, "port", lambda n: self.scalar(n, "server.port", int, "an integer"), d.port
        )
        if not 0 <= port <= 65535:
            raise self.error(f["port"][1], "server.port", f"must be 0..65535, got {port}")
        max_body = self.optional(
            f,
            "max_body_bytes",
            lambda n: self.scalar(n, "server.max_body_bytes", int, "an integer"),
            d.max_body_bytes,
        )
        if max_body <= 0:
            raise self.error(
                f["max_body_bytes"][1], "server.max_body_bytes", "must be greater than 0"
            )

        def flag(name: str, default: bool) -> bool:
            return self.optional(
                f, name, lambda n: self.scalar(n, f"server.{name}", bool, "true or false"), default
            )

        def limit(name: str, default: int | None) -> int | None:
            return self.optional(
                f, name, lambda n: positive_int(self, n, f"server.{name}", nullable=True), default
            )

        timeout = d.request_timeout_s
        if "request_timeout_s" in f:
            node_t = f["request_timeout_s"][1]
            timeout = (
                None
                if node_t.tag.endswith(":null")
                else self.positive(node_t, "server.request_timeout_s")
            )
        return ServerConfig(
            host=self.optional(f, "host", lambda n: self.string(n, "server.host"), d.host),
            port=port,
            graphiql=flag("graphiql", d.graphiql),
            introspection=flag("introspection", d.introspection),
            suggestions=flag("suggestions", d.suggestions),
            apq=flag("apq", d.apq),
            max_concurrent_requests=limit("max_concurrent_requests", d.max_concurrent_requests),
            document_workers=self.optional(f, "document_workers", self.workers, d.document_workers),
            request_timeout_s=timeout,
            expose_query_plans=flag("expose_query_plans", d.expose_query_plans),
            max_body_bytes=max_body,
            propagate_headers=self.optional(
                f, "propagate_headers", self.header_names, d.propagate_headers
            ),
            cors_origins=self.optional(f, "cors_origins", self.origins, d.cors_origins),
            redis_url=self.optional(f, "redis_url", self.redis_url, d.redis_url),
            shutdown_delay_s=self.optional(
                f,
                "shutdown_delay_s",
                lambda n: self.non_negative(n, "server.shutdown_delay_s"),
                d.shutdown_delay_s,
            ),
            shutdown_timeout_s=self.optional(
                f,
                "shutdown_timeout_s",
                lambda n: self.non_negative(n, "server.shutdown_timeout_s"),
                d.shutdown_timeout_s,
            ),
        )

    def workers(self, node: yaml.Node) -> int:
        count = self.scalar(node, "server.document_workers", int, "an integer >= 0")
        if count < 0:
            raise self.error(node, "server.document_workers", f"must be >= 0, got {count}")
        return count

    def redis_url(self, node: yaml.Node) -> str:
        url = self.string(node, "server.redis_url")
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise self.error(
                node, "server.redis_url", f"expected redis://host:port/db, got '{url}'"
            )
        return url

    def origins(self, node: yaml.Node) -> tuple[str, ...]:
        out: list[str] = []
        for index, item in enumerate(self.items(node, "server.cors_origins")):
            key = f"server.cors_origins[{index}]"
            origin = self.string(item, key)
            if origin != "*" and not _ORIGIN.match(origin):
                raise self.error(item, key, f"expected '*' or scheme://host[:port], got '{origin}'")
            out.append(origin)
        return tuple(out)

    def header_names(self, node: yaml.Node) -> tuple[str, ...]:
        names: list[str] = []
        for index, item in enumerate(self.items(node, "server.propagate_headers")):
            key = f"server.propagate_headers[{index}]"
            name = self.string(item, key)
            if not _HEADER_NAME.match(name):
                raise self.error(item, key, "not a valid HTTP header name")
            names.append(name.lower())
        return tuple(names)

    def subgraphs(self, node: yaml.Node) -> tuple[SubgraphConfig, ...]:
        out: list[SubgraphConfig] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(self.items(node, "subgraphs")):
            sub = self.subgraph(item, f"subgraphs[{index}]")
            if sub.name in seen:
                raise self.error(
                    item,
                    f"subgraphs[{index}].name",
                    f"duplicate subgraph name '{sub.name}' "
                    f"(first used by subgraphs[{seen[sub.name]}])",
                )
            seen[sub.name] = index
            out.append(sub)
        return tuple(out)

    def subgraph(self, node: yaml.Node, key: str) -> SubgraphConfig:
        f = self.mapping(node, key, _SUBGRAPH_KEYS)
        if "name" not in f:
            raise self.error(node, f"{key}.name", "required key is missing")
        name = self.string(f["name"][1], f"{key}.name")
        if not _NAME.match(name):
            raise self.error(
                f["name"][1],
                f"{key}.name",
                f"'{name}' is not a valid subgraph name (letters, digits, _ and -)",
            )
        kinds = [k for k in ("url", "python", "connector") if k in f]
        if len(kinds) != 1:
            where = f[kinds[1]][0] if len(kinds) > 1 else node
            raise self.error(
                where,
                f"{key}.url",
                "give exactly one of 'url' (a remote service), 'python' "
                "(module:schema in this process) and 'connector' (a REST "
                "connector SDL file)"
                if kinds
                else "required key is missing",
            )
        url = self.url(f["url"][1], f"{key}.url") if "url" in f else ""
        python = self.optional(f, "python", lambda n: self.python_target(n, f"{key}.python"), None)
        connector = self.optional(f, "connector", lambda n: self.path(n, f"{key}.connector"), None)
        base_urls: dict[str, str] = self.optional(
            f, "base_urls", lambda n: self.urls(n, f"{key}.base_urls"), {}
        )
        if base_urls and connector is None:
            raise self.error(f["base_urls"][0], f"{key}.base_urls", "only used with 'connector'")
        if not url:
            for remote_only in ("tls", "headers", *REMOTE_ONLY_KEYS):
                if remote_only in f:
                    raise self.error(
                        f[remote_only][0],
                        f"{key}.{remote_only}",
                        "only used with 'url' (in-process subgraphs make no "
                        "HTTP requests of their own)",
                    )
        source_text = self.optional(
            f, "sdl_source", lambda n: self.string(n, f"{key}.sdl_source"), "service"
        )
        try:
            source = SdlSource(source_text)
        except ValueError:
            choices = ", ".join(s.value for s in SdlSource)
            raise self.error(
                f["sdl_source"][1],
                f"{key}.sdl_source",
                f"must be one of {choices}, got '{source_text}'",
            ) from None
        sdl_file = self.optional(f, "sdl_file", lambda n: self.path(n, f"{key}.sdl_file"), None)
        if source is SdlSource.FILE and sdl_file is None:
            raise self.error(node, f"{key}.sdl_file", "required when sdl_source is 'file'")
        if source is not SdlSource.FILE and sdl_file is not None:
            raise self.error(
                f["sdl_file"][0], f"{key}.sdl_file", "only used when sdl_source is 'file'"
            )
        tls = self.optional(f, "tls", lambda n: self.tls(n, f"{key}.tls"), None)
        if tls is not None and not url.startswith("https:"):
            raise self.error(f["tls"][0], f"{key}.tls", "TLS settings need an https:// url")
        timeout, max_response_bytes, resilience = read_resilience(
            self, f, key, self.defaults, self.mode
        )
        return SubgraphConfig(
            name=name,
            url=url,
            python=python,
            python_path=self.base if python is not None else None,
            connector_file=connector,
            base_urls=base_urls,
            sdl_source=source,
            sdl_file=sdl_file,
            timeout_s=timeout,
            max_response_bytes=max_response_bytes,
            resilience=resilience,
            headers=self.optional(f, "headers", lambda n: self.headers(n, f"{key}.headers"), {}),
            tls=tls,
            optional=self.optional(
                f,
                "optional",
                lambda n: self.scalar(n, f"{key}.optional", bool, "true or false"),
                False,
            ),
        )

    def python_target(self, node: yaml.Node, key: str) -> str:
        target = self.string(node, key)
        if not _PYTHON_TARGET.match(target):
            raise self.error(node, key, f"expected 'package.module:attribute', got '{target}'")
        return target

    def headers(self, node: yaml.Node, key: str) -> dict[str, str]:
        f = self.mapping_any(node, key)
        out: dict[str, str] = {}
        for name, (key_node, value_node) in f.items():
            where = f"{key}.{name}"
            if not re.match(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", name):
                raise self.error(key_node, where, "not a valid HTTP header name")
            out[name] = self.scalar(value_node, where, str, "a string")
        return out

    def tls(self, node: yaml.Node, key: str) -> TlsConfig:
        f = self.mapping(node, key, _TLS_KEYS)
        files = {name: self.path(f[name][1], f"{key}.{name}") for name in _TLS_KEYS if name in f}
        if "key_file" in files and "cert_file" not in files:
            raise self.error(f["key_file"][0], f"{key}.key_file", "needs cert_file as well")
        return TlsConfig(**files)

    def examples(self, node: yaml.Node) -> tuple[ExampleOperation, ...]:
        out: list[ExampleOperation] = []
        for index, item in enumerate(self.items(node, "example_operations")):
            key = f"example_operations[{index}]"
            f = self.mapping(item, key, _EXAMPLE_KEYS)
            if "title" not in f:
                raise self.error(item, f"{key}.title", "required key is missing")
            title = self.string(f["title"][1], f"{key}.title")
            if ("file" in f) == ("query" in f):
                raise self.error(item, key, "give exactly one of 'file' and 'query'")
            if "file" in f:
                file = self.path(f["file"][1], f"{key}.file")
                out.append(ExampleOperation(title, file.read_text(encoding="utf-8"), file))
            else:
                out.append(ExampleOperation(title, self.string(f["query"][1], f"{key}.query")))
        return tuple(out)
