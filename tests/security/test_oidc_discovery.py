"""OpenID Connect discovery against a provider served on loopback."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from aggregator.config.auth_model import AuthConfig, IssuerConfig
from aggregator.security.authn import JwtAuthenticator, build_authenticator
from aggregator.security.identity import IdentityProviderUnavailable
from tests.security.idp import FakeClock, IdentityProvider, rsa_key
from tests.support.servers import serve_asgi


@contextlib.asynccontextmanager
async def _discovering() -> AsyncIterator[tuple[IdentityProvider, JwtAuthenticator, FakeClock]]:
    idp = IdentityProvider()
    idp.add_key("k1", rsa_key(0), "RS256")
    clock = FakeClock()
    async with serve_asgi(idp) as base:
        idp.base_url = base
        config = AuthConfig(
            issuers=(
                IssuerConfig(
                    issuer=base, audiences=("aggregator",), discovery=True, algorithms=("RS256",)
                ),
            )
        )
        authenticator = build_authenticator(config, clock=clock)
        try:
            yield idp, authenticator, clock
        finally:
            await authenticator.close()


def _bearer(token: str) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {token}".encode())]


async def test_keys_are_found_through_the_discovery_document() -> None:
    async with _discovering() as (idp, authenticator, clock):
        identity = await authenticator.authenticate(_bearer(idp.token()))
        assert identity is not None
        assert identity.issuer == idp.base_url
        assert idp.requests["/.well-known/openid-configuration"] == 1
        assert idp.requests["/jwks"] == 1
        clock.advance(301)  # both documents expired: discovery is asked again, then keys
        assert await authenticator.authenticate(_bearer(idp.token())) is not None
        assert idp.requests["/.well-known/openid-configuration"] == 2
        assert idp.requests["/jwks"] == 2


async def test_discovery_naming_another_issuer_is_refused() -> None:
    async with _discovering() as (idp, authenticator, _):
        idp.discovery = {"issuer": idp.base_url + "/other"}
        with pytest.raises(IdentityProviderUnavailable, match="names issuer"):
            await authenticator.authenticate(_bearer(idp.token()))
        assert idp.requests["/jwks"] == 0


async def test_a_jwks_uri_off_https_is_refused() -> None:
    async with _discovering() as (idp, authenticator, _):
        idp.discovery = {"jwks_uri": "http://keys.example/jwks"}
        with pytest.raises(IdentityProviderUnavailable, match="not https"):
            await authenticator.authenticate(_bearer(idp.token()))


async def test_a_failed_rediscovery_keeps_the_last_good_jwks_uri() -> None:
    async with _discovering() as (idp, authenticator, clock):
        assert await authenticator.authenticate(_bearer(idp.token())) is not None
        idp.discovery = {"jwks_uri": "not a url"}
        clock.advance(301)
        assert await authenticator.authenticate(_bearer(idp.token())) is not None
        assert idp.requests["/jwks"] == 2
