"""Internal tokens: a real subgraph verifies, with the JWKS the gateway publishes, who asked."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from aggregator.config import load_config
from aggregator.config.auth_model import InternalTokenConfig
from aggregator.demo.auth import DEV_JWKS, dev_token
from aggregator.registry.gateway_factory import gateway_from_config, server_options
from aggregator.security.identity import Identity
from aggregator.security.internal_tokens import InternalTokenSigner
from aggregator.server import create_app
from tests.gateway.conftest import SUPERGRAPH
from tests.gateway.schema_fixture import RESOLVERS, SDLS
from tests.support.fedsub import FederatedSubgraph
from tests.support.servers import serve_asgi

QUERY = "{ topProducts(first: 1) { name } }"
GATEWAY_ISSUER = "https://gateway.agency.example"


class VerifyingSubgraph:
    """An agency's subgraph that trusts only tokens it can verify with the gateway's JWKS.

    It fetches the published key set over HTTP (as an agency would), checks
    issuer, audience and expiry with pyjwt, and refuses the request otherwise.
    """

    def __init__(self, audience: str) -> None:
        self.app = FederatedSubgraph("products", SDLS["products"], RESOLVERS["products"])
        self.audience = audience
        self.jwks_url = ""
        self.verified: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.jwks_fetches = 0

    async def _keys(self) -> jwt.PyJWKSet:
        self.jwks_fetches += 1
        async with aiohttp.ClientSession() as session, session.get(self.jwks_url) as response:
            assert response.headers["cache-control"] == "public, max-age=300"
            assert response.headers["content-type"] == "application/jwk-set+json"
            return jwt.PyJWKSet.from_dict(await response.json(content_type=None))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        token = headers.get("authorization", "").removeprefix("Bearer ")
        try:
            header = jwt.get_unverified_header(token)
            key = (await self._keys())[header["kid"]]
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=GATEWAY_ISSUER,
                options={"require": ["exp", "iat", "jti", "sub"]},
            )
        except (jwt.PyJWTError, KeyError) as exc:
            self.refused.append(str(exc))
            body = orjson.dumps({"errors": [{"message": "who are you?"}], "data": None})
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        self.verified.append(claims)
        await self.app(scope, receive, send)


def _key_file(tmp_path: Path, algorithm: str) -> Path:
    key: Any
    if algorithm.startswith("ES"):
        key = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "EdDSA":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "gateway-signing.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


CONFIG = f"""
subgraphs:
  - name: products
    url: {{url}}
    sdl_source: file
    sdl_file: products.graphql
auth:
  anonymous: true
  purpose_header: x-purpose-of-use
  issuers:
    - issuer: https://aggregator-demo.invalid/dev-only
      audience: aggregator-demo
      algorithms: [ES256]
      keys: [{DEV_JWKS}]
  internal_tokens:
    issuer: {GATEWAY_ISSUER}
    key_file: gateway-signing.pem
    algorithm: {{algorithm}}
    ttl_s: 60
headers:
  subgraphs:
    products:
      - internal_token: authorization
        audience: urn:agency:products
"""


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA", "RS256"])
async def test_a_subgraph_verifies_the_internal_token_with_the_published_jwks(
    tmp_path: Path, algorithm: str
) -> None:
    _key_file(tmp_path, algorithm)
    subgraph = VerifyingSubgraph("urn:agency:products")
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(subgraph)) + "/graphql"
        (tmp_path / "products.graphql").write_text(SDLS["products"])
        (tmp_path / "aggregator.yaml").write_text(CONFIG.format(url=url, algorithm=algorithm))
        config = load_config(tmp_path / "aggregator.yaml")
        gateway = gateway_from_config(config, SUPERGRAPH)
        stack.push_async_callback(gateway.close)
        base = await stack.enter_async_context(
            serve_asgi(create_app(gateway, server_options(config)))
        )
        subgraph.jwks_url = f"{base}/.well-known/jwks.json"
        session = await stack.enter_async_context(aiohttp.ClientSession())
        user_token = dev_token("alice", agency="tax", scopes=["tax:read", "profile"])

        async def ask(headers: dict[str, str]) -> Any:
            async with session.post(
                f"{base}/graphql", json={"query": QUERY}, headers=headers
            ) as response:
                return await response.json()

        signed_in = {"Authorization": f"Bearer {user_token}", "X-Purpose-Of-Use": "audit"}
        assert await ask(signed_in) == {"data": {"topProducts": [{"name": "Table"}]}}
        assert await ask(signed_in) == {"data": {"topProducts": [{"name": "Table"}]}}
        anonymous = await ask({})
    first, second = subgraph.verified
    assert first == second  # reused for the same caller, not re-signed per request
    assert first["iss"] == GATEWAY_ISSUER
    assert first["aud"] == "urn:agency:products"
    assert (first["sub"], first["agency"], first["purpose"]) == ("alice", "tax", "audit")
    assert first["scope"] == "profile tax:read"
    assert first["src_iss"] == "https://aggregator-demo.invalid/dev-only"
    assert first["exp"] - first["iat"] == 60
    assert abs(first["iat"] - time.time()) < 30
    # an anonymous caller gets no token, so this subgraph refuses it
    assert anonymous["data"] == {"topProducts": None}
    assert len(subgraph.refused) == 1


def _signer(tmp_path: Path, ttl: float = 60) -> InternalTokenSigner:
    config = InternalTokenConfig(
        issuer=GATEWAY_ISSUER, key_file=_key_file(tmp_path, "ES256"), ttl_s=ttl
    )
    return InternalTokenSigner(config)


def test_tokens_are_per_caller_and_audience_and_renewed_before_expiry(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    now = [1_000_000.0]
    signer.clock = lambda: now[0]
    alice = Identity("alice", "idp", agency="tax", expires_at=2_000_000)
    bob = Identity("bob", "idp", agency="tax", expires_at=2_000_000)
    first = signer.token_for(alice, "tax")
    assert signer.token_for(alice, "tax") == first
    assert signer.token_for(alice, "health") != first
    assert signer.token_for(bob, "tax") != first
    assert signer.signed == 3
    now[0] += 44  # 15 s (a quarter of the ttl) before expiry: still reused
    assert signer.token_for(alice, "tax") == first
    now[0] += 2
    renewed = signer.token_for(alice, "tax")
    assert renewed != first
    assert signer.signed == 4


def test_an_internal_token_never_outlives_the_callers_token(tmp_path: Path) -> None:
    signer = _signer(tmp_path, ttl=600)
    expires = int(time.time()) + 30
    token = signer.token_for(Identity("alice", "idp", expires_at=expires), "tax")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] == expires
