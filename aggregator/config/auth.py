"""Read the ``auth:`` section of ``aggregator.yaml`` into an :class:`AuthConfig`.

Only what the file can tell is checked here (shapes, names, ranges, that key
files exist); whether a key file holds a key the configured algorithms can use
is checked when the authenticator is built, with the :class:`Origin` recorded
here, so that error names the file and line too. Anything the gateway could not
enforce is an error, never a silent default: symmetric algorithms and ``none``
are refused, every issuer needs an audience and exactly one key source, and
keys are fetched over https except from loopback (a development identity
provider).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import yaml

from aggregator.config.auth_model import (
    ASYMMETRIC_ALGORITHMS,
    AuthConfig,
    InternalTokenConfig,
    IssuerConfig,
    JwksCacheConfig,
    KeyFile,
    Origin,
    ScopeSource,
)
from aggregator.config.nodes import Fields, NodeReader

__all__ = ["HEADER_NAME", "origin_of", "read_auth"]

HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_CLAIM = re.compile(r"^[A-Za-z_][\w.:/-]*$")

_AUTH_KEYS = (
    "issuers",
    "anonymous",
    "realm",
    "max_token_bytes",
    "token_cache_size",
    "purpose_header",
    "jwks_cache",
    "internal_tokens",
)
_ISSUER_KEYS = (
    "issuer",
    "audience",
    "jwks_url",
    "discovery",
    "keys",
    "algorithms",
    "leeway_s",
    "require_typ",
    "claims",
    "roles",
)
_CLAIMS_KEYS = ("subject", "agency", "purpose", "scopes")
_ROLES_KEYS = ("claim", "scopes")
_KEY_FILE_KEYS = ("file", "kid")
_CACHE_KEYS = (
    "min_ttl_s",
    "max_ttl_s",
    "default_ttl_s",
    "refetch_interval_s",
    "stale_if_error_s",
    "fetch_timeout_s",
    "max_bytes",
)
_INTERNAL_KEYS = ("issuer", "key_file", "algorithm", "kid", "ttl_s")


def origin_of(reader: NodeReader, node: yaml.Node, key: str) -> Origin:
    return Origin(reader.label, node.start_mark.line + 1, key)


def read_auth(reader: NodeReader, node: yaml.Node) -> AuthConfig:
    return _AuthReader(reader).auth(node)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _AuthReader:
    def __init__(self, reader: NodeReader) -> None:
        self.r = reader

    def auth(self, node: yaml.Node) -> AuthConfig:
        r = self.r
        f = r.mapping(node, "auth", _AUTH_KEYS)
        if "issuers" not in f:
            raise r.error(
                node,
                "auth.issuers",
                "list at least one token issuer (with jwks_url, discovery or keys)",
            )
        issuers = self.issuers(f["issuers"][1])
        d = AuthConfig(issuers=())
        realm = r.optional(f, "realm", lambda n: r.string(n, "auth.realm"), d.realm)
        if not re.fullmatch(r"[\w .:/-]+", realm):
            raise r.error(
                f["realm"][1], "auth.realm", "use letters, digits, spaces and . : / - _ only"
            )
        max_bytes = r.optional(
            f,
            "max_token_bytes",
            lambda n: self.integer(n, "auth.max_token_bytes", 256, 65536),
            d.max_token_bytes,
        )
        cache_size = r.optional(
            f,
            "token_cache_size",
            lambda n: self.integer(n, "auth.token_cache_size", 0, 10_000_000),
            d.token_cache_size,
        )
        return AuthConfig(
            issuers=issuers,
            anonymous=r.optional(
                f, "anonymous", lambda n: self.flag(n, "auth.anonymous"), d.anonymous
            ),
            realm=realm,
            max_token_bytes=max_bytes,
            token_cache_size=cache_size,
            purpose_header=r.optional(
                f, "purpose_header", lambda n: self.header(n, "auth.purpose_header"), None
            ),
            jwks_cache=r.optional(f, "jwks_cache", self.jwks_cache, d.jwks_cache),
            internal_tokens=r.optional(f, "internal_tokens", self.internal_tokens, None),
            origin=origin_of(r, node, "auth"),
        )

    # ------------------------------------------------------------- scalars
    def flag(self, node: yaml.Node, key: str) -> bool:
        return self.r.scalar(node, key, bool, "true or false")

    def integer(self, node: yaml.Node, key: str, low: int, high: int) -> int:
        value = self.r.scalar(node, key, int, "an integer")
        if not low <= value <= high:
            raise self.r.error(node, key, f"must be {low}..{high}, got {value}")
        return value

    def seconds(
        self, node: yaml.Node, key: str, *, zero: bool = False, high: float | None = None
    ) -> float:
        value = self.r.scalar(node, key, float, "a number of seconds")
        if value < 0 or (value == 0 and not zero):
            raise self.r.error(node, key, f"must be {'>= 0' if zero else '> 0'}, got {value:g}")
        if high is not None and value > high:
            raise self.r.error(node, key, f"must be at most {high:g}, got {value:g}")
        return value

    def header(self, node: yaml.Node, key: str) -> str:
        name = self.r.string(node, key)
        if not HEADER_NAME.match(name):
            raise self.r.error(node, key, "not a valid HTTP header name")
        return name.lower()

    def claim(self, node: yaml.Node, key: str) -> str:
        name = self.r.string(node, key)
        if not _CLAIM.match(name):
            raise self.r.error(node, key, f"'{name}' is not a claim name")
        return name

    def optional_claim(self, node: yaml.Node, key: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return None
        return self.claim(node, key)

    def strings(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        """A string or a non-empty list of strings."""
        if isinstance(node, yaml.ScalarNode):
            return (self.r.string(node, key),)
        items = self.r.items(node, key)
        if not items:
            raise self.r.error(node, key, "must not be empty")
        return tuple(self.r.string(item, f"{key}[{i}]") for i, item in enumerate(items))

    def key_url(self, node: yaml.Node, key: str) -> str:
        url = self.r.url(node, key)
        parts = urlsplit(url)
        if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
            raise self.r.error(
                node, key, "keys must come over https (http only from a loopback address)"
            )
        return url

    # ------------------------------------------------------------- issuers
    def issuers(self, node: yaml.Node) -> tuple[IssuerConfig, ...]:
        r = self.r
        items = r.items(node, "auth.issuers")
        if not items:
            raise r.error(node, "auth.issuers", "list at least one token issuer")
        out: list[IssuerConfig] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            issuer = self.issuer(item, f"auth.issuers[{index}]")
            if issuer.issuer in seen:
                raise r.error(
                    item,
                    f"auth.issuers[{index}].issuer",
                    f"issuer '{issuer.issuer}' is listed twice "
                    f"(first in auth.issuers[{seen[issuer.issuer]}])",
                )
            seen[issuer.issuer] = index
            out.append(issuer)
        return tuple(out)

    def issuer(self, node: yaml.Node, key: str) -> IssuerConfig:
        r = self.r
        f = r.mapping(node, key, _ISSUER_KEYS)
        for required in ("issuer", "audience"):
            if required not in f:
                why = (
                    "tokens for other services must not be accepted"
                    if required == "audience"
                    else "the exact 'iss' of accepted tokens"
                )
                raise r.error(node, f"{key}.{required}", f"required key is missing ({why})")
        issuer = r.string(f["issuer"][1], f"{key}.issuer")
        sources = [name for name in ("jwks_url", "discovery", "keys") if name in f]
        if len(sources) != 1:
            where = f[sources[1]][0] if len(sources) > 1 else node
            raise r.error(
                where,
                key,
                "give exactly one key source: 'jwks_url', "
                "'discovery: true' (OpenID Connect) or 'keys' (local files)",
            )
        discovery = r.optional(f, "discovery", lambda n: self.flag(n, f"{key}.discovery"), False)
        if "discovery" in f and not discovery:
            raise r.error(
                f["discovery"][1],
                f"{key}.discovery",
                "must be true when given (it is the issuer's key source)",
            )
        if discovery:
            self.key_url(f["issuer"][1], f"{key}.issuer")
        d = IssuerConfig(issuer="", audiences=())
        algorithms = r.optional(
            f, "algorithms", lambda n: self.algorithms(n, f"{key}.algorithms"), d.algorithms
        )
        empty: Fields = {}
        claims = r.optional(
            f, "claims", lambda n: r.mapping(n, f"{key}.claims", _CLAIMS_KEYS), empty
        )
        scopes = ScopeSource(
            claims=r.optional(
                claims,
                "scopes",
                lambda n: tuple(self.claim_list(n, f"{key}.claims.scopes")),
                ScopeSource().claims,
            )
        )
        if "roles" in f:
            scopes = self.roles(f["roles"][1], f"{key}.roles", scopes)
        return IssuerConfig(
            issuer=issuer,
            audiences=self.strings(f["audience"][1], f"{key}.audience"),
            jwks_url=r.optional(f, "jwks_url", lambda n: self.key_url(n, f"{key}.jwks_url"), None),
            discovery=discovery,
            key_files=r.optional(f, "keys", lambda n: self.key_files(n, f"{key}.keys"), ()),
            algorithms=algorithms,
            leeway_s=r.optional(
                f,
                "leeway_s",
                lambda n: self.seconds(n, f"{key}.leeway_s", zero=True, high=600),
                d.leeway_s,
            ),
            require_typ=r.optional(
                f, "require_typ", lambda n: r.string(n, f"{key}.require_typ"), None
            ),
            subject_claim=r.optional(
                claims, "subject", lambda n: self.claim(n, f"{key}.claims.subject"), d.subject_claim
            ),
            agency_claim=r.optional(
                claims,
                "agency",
                lambda n: self.optional_claim(n, f"{key}.claims.agency"),
                d.agency_claim,
            ),
            purpose_claim=r.optional(
                claims,
                "purpose",
                lambda n: self.optional_claim(n, f"{key}.claims.purpose"),
                d.purpose_claim,
            ),
            scopes=scopes,
            origin=origin_of(r, node, key),
        )

    def claim_list(self, node: yaml.Node, key: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode):
            return [self.claim(node, key)]
        return [self.claim(item, f"{key}[{i}]") for i, item in enumerate(self.r.items(node, key))]

    def roles(self, node: yaml.Node, key: str, scopes: ScopeSource) -> ScopeSource:
        r = self.r
        f = r.mapping(node, key, _ROLES_KEYS)
        if "claim" not in f or "scopes" not in f:
            raise r.error(
                node, key, "give 'claim' (the roles claim) and 'scopes' (role -> list of scopes)"
            )
        mapping: dict[str, tuple[str, ...]] = {}
        for role, (_, value) in r.mapping_any(f["scopes"][1], f"{key}.scopes").items():
            granted = self.strings(value, f"{key}.scopes.{role}")
            for scope in granted:
                if any(c.isspace() for c in scope):
                    raise r.error(
                        value, f"{key}.scopes.{role}", f"scope '{scope}' contains a space"
                    )
            mapping[role] = granted
        return ScopeSource(
            claims=scopes.claims,
            role_claim=self.claim(f["claim"][1], f"{key}.claim"),
            roles=mapping,
        )

    def algorithms(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        r = self.r
        out: list[str] = []
        for index, item in enumerate(r.items(node, key)):
            where = f"{key}[{index}]"
            name = r.string(item, where)
            if name.lower() == "none":
                raise r.error(item, where, "unsigned tokens ('none') are never accepted")
            if name.upper().startswith("HS"):
                raise r.error(
                    item,
                    where,
                    f"{name} is a shared-secret algorithm: anyone who can "
                    "verify could also mint tokens; use RS*, PS*, ES* or EdDSA",
                )
            if name not in ASYMMETRIC_ALGORITHMS:
                raise r.error(
                    item,
                    where,
                    f"unknown algorithm '{name}' (expected one of "
                    + ", ".join(ASYMMETRIC_ALGORITHMS)
                    + ")",
                )
            if name not in out:
                out.append(name)
        if not out:
            raise r.error(node, key, "list at least one algorithm")
        return tuple(out)

    def key_files(self, node: yaml.Node, key: str) -> tuple[KeyFile, ...]:
        r = self.r
        items = r.items(node, key)
        if not items:
            raise r.error(node, key, "list at least one key file")
        out: list[KeyFile] = []
        for index, item in enumerate(items):
            where = f"{key}[{index}]"
            if isinstance(item, yaml.ScalarNode):
                out.append(KeyFile(r.path(item, where), None, origin_of(r, item, where)))
                continue
            f = r.mapping(item, where, _KEY_FILE_KEYS)
            if "file" not in f:
                raise r.error(item, f"{where}.file", "required key is missing")
            kid = r.string(f["kid"][1], f"{where}.kid") if "kid" in f else None
            out.append(
                KeyFile(
                    r.path(f["file"][1], f"{where}.file"),
                    kid,
                    origin_of(r, f["file"][1], f"{where}.file"),
                )
            )
        return tuple(out)

    # ------------------------------------------------------------- caches, internal tokens
    def jwks_cache(self, node: yaml.Node) -> JwksCacheConfig:
        r = self.r
        f = r.mapping(node, "auth.jwks_cache", _CACHE_KEYS)
        d = JwksCacheConfig()

        def seconds(name: str, default: float, *, zero: bool = False) -> float:
            return r.optional(
                f, name, lambda n: self.seconds(n, f"auth.jwks_cache.{name}", zero=zero), default
            )

        cache = JwksCacheConfig(
            min_ttl_s=seconds("min_ttl_s", d.min_ttl_s),
            max_ttl_s=seconds("max_ttl_s", d.max_ttl_s),
            default_ttl_s=seconds("default_ttl_s", d.default_ttl_s),
            refetch_interval_s=seconds("refetch_interval_s", d.refetch_interval_s),
            stale_if_error_s=seconds("stale_if_error_s", d.stale_if_error_s, zero=True),
            fetch_timeout_s=seconds("fetch_timeout_s", d.fetch_timeout_s),
            max_bytes=r.optional(
                f,
                "max_bytes",
                lambda n: self.integer(n, "auth.jwks_cache.max_bytes", 1024, 16 * 1_048_576),
                d.max_bytes,
            ),
        )
        if cache.min_ttl_s > cache.max_ttl_s:
            raise r.error(
                node,
                "auth.jwks_cache.min_ttl_s",
                f"min_ttl_s ({cache.min_ttl_s:g}) is above max_ttl_s ({cache.max_ttl_s:g})",
            )
        return cache

    def internal_tokens(self, node: yaml.Node) -> InternalTokenConfig:
        r = self.r
        key = "auth.internal_tokens"
        f = r.mapping(node, key, _INTERNAL_KEYS)
        for required in ("issuer", "key_file"):
            if required not in f:
                raise r.error(node, f"{key}.{required}", "required key is missing")
        d = InternalTokenConfig(issuer="", key_file=r.base)
        algorithm = r.optional(
            f, "algorithm", lambda n: r.string(n, f"{key}.algorithm"), d.algorithm
        )
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise r.error(
                f["algorithm"][1],
                f"{key}.algorithm",
                f"expected one of {', '.join(ASYMMETRIC_ALGORITHMS)}, got '{algorithm}'",
            )
        return InternalTokenConfig(
            issuer=r.string(f["issuer"][1], f"{key}.issuer"),
            key_file=r.path(f["key_file"][1], f"{key}.key_file"),
            algorithm=algorithm,
            kid=r.optional(f, "kid", lambda n: r.string(n, f"{key}.kid"), None),
            ttl_s=r.optional(
                f, "ttl_s", lambda n: self.seconds(n, f"{key}.ttl_s", high=3600), d.ttl_s
            ),
            origin=origin_of(r, f["key_file"][1], f"{key}.key_file"),
        )
