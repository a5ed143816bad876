"""The gateway's :class:`Authenticator`: bearer JWTs from configured issuers.

One request: find the one ``Authorization: Bearer`` header (none: anonymous
where allowed, else 401), look the token's hash up among tokens already
validated, otherwise pick the issuer the token names (exactly; unknown
issuers are refused before any key is looked at), get the key for its
``kid``/``alg`` (local files, or a remote JWKS behind the gateway's own
cache), validate with pyjwt and map the claims to an :class:`Identity`. A
purpose-of-use header, where the operator allows one, is applied per request
on top of the cached identity.

:func:`build_authenticator` turns an ``auth:`` config into one and is where
start-up fails closed: a local key file no configured algorithm can verify
with stops the gateway with the file and line of the setting.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from aggregator.config.auth_model import AuthConfig, IssuerConfig
from aggregator.security.bearer import bearer_token, header_value
from aggregator.security.claims import declare_purpose
from aggregator.security.fetch import JsonGetter
from aggregator.security.identity import AuthenticationError, Identity
from aggregator.security.jwks import KeySource, RemoteKeySource, StaticKeySource
from aggregator.security.keys import KeySet, KeySetError, load_key_file
from aggregator.security.oidc import DiscoveredJwksUrl
from aggregator.security.token_cache import TokenCache
from aggregator.security.tokens import IssuerValidator, unverified_parts

__all__ = ["JwtAuthenticator", "build_authenticator"]


class JwtAuthenticator:
    """Implements :class:`aggregator.security.Authenticator`; close it on shutdown."""

    def __init__(
        self,
        config: AuthConfig,
        validators: dict[str, IssuerValidator],
        http: JsonGetter,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.validators = validators
        self.http = http
        self.tokens = TokenCache(config.token_cache_size, clock=wall_clock)
        self._purpose_header = (
            config.purpose_header.encode("latin-1") if config.purpose_header else None
        )

    async def authenticate(self, headers: Sequence[tuple[bytes, bytes]]) -> Identity | None:
        try:
            return await self._authenticate(headers)
        except AuthenticationError as exc:
            exc.realm = self.config.realm
            raise

    async def _authenticate(self, headers: Sequence[tuple[bytes, bytes]]) -> Identity | None:
        config = self.config
        token = bearer_token(headers, max_bytes=config.max_token_bytes)
        if token is None:
            if config.anonymous:
                return None
            raise AuthenticationError("this gateway needs a bearer token", error=None)
        key = TokenCache.key(token)
        identity = self.tokens.get(key)
        if identity is None:
            identity = await self.validate(token)
            self.tokens.put(key, identity)
        if self._purpose_header is not None:
            declared = header_value(headers, self._purpose_header)
            if declared is not None:
                issuer = self.validators[identity.issuer].config
                identity = declare_purpose(identity, declared.strip(), issuer)
        return identity

    async def validate(self, token: str) -> Identity:
        """Full validation of one token, bypassing the cache."""
        header, payload = unverified_parts(token)
        issuer = payload.get("iss")
        validator = self.validators.get(issuer) if isinstance(issuer, str) else None
        if validator is None:
            raise AuthenticationError("the token's issuer is not trusted by this gateway")
        return await validator.validate(token, header)

    async def close(self) -> None:
        await self.http.close()


def _static_keys(issuer: IssuerConfig) -> KeySet:
    jwks = []
    for key_file in issuer.key_files:
        try:
            found = load_key_file(key_file.path, key_file.kid)
        except KeySetError as exc:
            raise key_file.origin.error(str(exc)) from exc
        keys = KeySet.from_jwks(found, issuer.algorithms)
        if not len(keys):
            reasons = "; ".join(keys.skipped)
            raise key_file.origin.error(
                f"{key_file.path.name} holds no key usable with the issuer's algorithms "
                f"({', '.join(issuer.algorithms)}): {reasons}"
            )
        jwks.extend(found)
    keys = KeySet.from_jwks(jwks, issuer.algorithms)
    duplicate = [kid for kid in keys.by_kid if sum(j.get("kid") == kid for j in jwks) > 1]
    if duplicate:
        raise issuer.origin.error(f"key id {duplicate[0]!r} is given by two key files")
    return keys


def _fixed_url(url: str) -> Callable[[], Awaitable[str]]:
    async def locate() -> str:
        return url

    return locate


def build_authenticator(
    config: AuthConfig,
    *,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
) -> JwtAuthenticator:
    """The authenticator an ``auth:`` section describes; raises ConfigError (file:line).

    ``clock`` (monotonic) drives key-set caching; ``wall_clock`` the token cache.
    """
    cache = config.jwks_cache
    http = JsonGetter(timeout_s=cache.fetch_timeout_s, max_bytes=cache.max_bytes)
    validators: dict[str, IssuerValidator] = {}
    for issuer in config.issuers:
        source: KeySource
        locate: Callable[[], Awaitable[str]]
        if issuer.key_files:
            source = StaticKeySource(issuer.issuer, _static_keys(issuer))
        else:
            if issuer.jwks_url is not None:
                locate = _fixed_url(issuer.jwks_url)
            elif issuer.discovery:
                locate = DiscoveredJwksUrl(issuer.issuer, http, cache, clock=clock)
            else:  # the reader guarantees one key source; fail closed all the same
                raise issuer.origin.error("no key source (jwks_url, discovery or keys)")
            source = RemoteKeySource(
                issuer.issuer, locate, issuer.algorithms, cache, http, clock=clock
            )
        validators[issuer.issuer] = IssuerValidator(issuer, source)
    if not validators:
        raise config.origin.error("no token issuer is configured")
    return JwtAuthenticator(config, validators, http, wall_clock=wall_clock)
