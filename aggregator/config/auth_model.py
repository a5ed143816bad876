"""The ``auth:`` and ``headers:`` sections as plain frozen data.

Kept apart from ``model.py`` because identity and header propagation grew
their own vocabulary (issuers, key sources, claim mappings, header rules).
Every value that start-up may still reject (a key file that turns out not to
hold a usable key, a rule that conflicts with a subgraph's configured
header) carries its :class:`Origin`, so the error names file and line even
though it is raised after the YAML is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aggregator.config.errors import ConfigError

# Asymmetric algorithms only: with a shared secret every party that can verify a
# token could also mint one. "none" and the HS* family are refused by the reader.
ASYMMETRIC_ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a setting was written, for errors raised after loading."""

    file: str | None = None
    line: int | None = None
    key: str | None = None

    def error(self, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, line=self.line, key=self.key)


@dataclass(frozen=True, slots=True)
class KeyFile:
    """A local verification key: PEM public key or certificate, JWK or JWK Set (JSON)."""

    path: Path
    kid: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True, slots=True)
class JwksCacheConfig:
    """How remote key sets are cached; see docs/security.md ("JWKS cache")."""

    # Cache-Control max-age is clamped into [min_ttl_s, max_ttl_s]; without one, default_ttl_s
    min_ttl_s: float = 60.0
    max_ttl_s: float = 86400.0
    default_ttl_s: float = 300.0
    # an unknown kid (or a failed fetch) triggers at most one fetch per interval
    refetch_interval_s: float = 30.0
    # keys stay usable this long past their expiry while the identity provider fails
    stale_if_error_s: float = 21600.0
    fetch_timeout_s: float = 5.0
    max_bytes: int = 1_048_576


@dataclass(frozen=True, slots=True)
class ScopeSource:
    """Where granted scopes come from: scope claims, plus roles mapped to scopes."""

    # each claim is a space-separated string ("scope") or a list of strings ("scp")
    claims: tuple[str, ...] = ("scope", "scp")
    role_claim: str | None = None
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IssuerConfig:
    """One trusted token issuer and exactly one source of its keys."""

    issuer: str
    audiences: tuple[str, ...]
    jwks_url: str | None = None
    discovery: bool = False
    key_files: tuple[KeyFile, ...] = ()
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    leeway_s: float = 30.0
    # RFC 9068 access tokens carry typ "at+jwt"; None accepts any typ
    require_typ: str | None = None
    subject_claim: str = "sub"
    agency_claim: str | None = "agency"
    purpose_claim: str | None = "purpose"
    scopes: ScopeSource = field(default_factory=ScopeSource)
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True, slots=True)
class InternalTokenConfig:
    """The gateway's own signing key for per-subgraph internal tokens."""

    issuer: str
    key_file: Path
    algorithm: str = "ES256"
    kid: str | None = None
    ttl_s: float = 60.0
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True, slots=True)
class AuthConfig:
    issuers: tuple[IssuerConfig, ...]
    # callers without a token are served as anonymous (authorization still applies)
    anonymous: bool = False
    realm: str = "aggregator"
    max_token_bytes: int = 8192
    token_cache_size: int = 10_000
    # a request header declaring the purpose of use; None: only the token's claim counts
    purpose_header: str | None = None
    jwks_cache: JwksCacheConfig = field(default_factory=JwksCacheConfig)
    internal_tokens: InternalTokenConfig | None = None
    origin: Origin = field(default_factory=Origin)


# ---------------------------------------------------------------- header rules


@dataclass(frozen=True, slots=True)
class ForwardHeader:
    """Copy the client's header ``name`` to the subgraph, as ``to`` when renaming."""

    name: str
    to: str | None = None
    override: bool = False
    origin: Origin = field(default_factory=Origin)

    @property
    def target(self) -> str:
        return self.to or self.name


@dataclass(frozen=True, slots=True)
class InsertHeader:
    """Set ``name`` from a validated claim of the caller, or to a fixed value."""

    name: str
    claim: str | None = None
    value: str | None = None
    override: bool = False
    origin: Origin = field(default_factory=Origin)

    @property
    def target(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class RemoveHeader:
    """Drop ``name`` (set by an earlier rule, or configured on the subgraph)."""

    name: str
    origin: Origin = field(default_factory=Origin)

    @property
    def target(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class InternalTokenHeader:
    """Send a gateway-signed token for the caller, audience = this subgraph."""

    name: str = "authorization"
    audience: str | None = None
    override: bool = False
    origin: Origin = field(default_factory=Origin)

    @property
    def target(self) -> str:
        return self.name


HeaderRule = ForwardHeader | InsertHeader | RemoveHeader | InternalTokenHeader


@dataclass(frozen=True, slots=True)
class HeaderRules:
    """``headers:``: rules for every subgraph (``all``), then per subgraph, in order."""

    all: tuple[HeaderRule, ...] = ()
    subgraphs: Mapping[str, tuple[HeaderRule, ...]] = field(default_factory=dict)
    subgraph_origins: Mapping[str, Origin] = field(default_factory=dict)
