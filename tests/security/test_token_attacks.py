"""The token attack battery: every forged, altered or malformed credential gets 401.

Each case goes through the real server to a gateway in front of a real
subgraph that counts its requests: a refused request must reach no subgraph,
must carry ``WWW-Authenticate: Bearer`` with an RFC 6750 error, and must never
be served as anonymous.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import get_default_algorithms

from aggregator.security.keys import public_jwk
from tests.security.conftest import ANSWER, AuthStack, auth_stack
from tests.security.idp import CountingServer, IdentityProvider, SigningKey, ec_key, rsa_key
from tests.support.servers import serve_asgi


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _json(value: Any) -> str:
    return _b64(json.dumps(value).encode())


def _hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{_json(header)}.{_json(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _raw(header: dict[str, Any], claims: dict[str, Any], key: SigningKey) -> str:
    """Signed with a real key, but with a header pyjwt itself would refuse to write."""
    signing_input = f"{_json({'alg': key.alg, **header})}.{_json(claims)}"
    algorithm = get_default_algorithms()[key.alg]
    return f"{signing_input}.{_b64(algorithm.sign(signing_input.encode(), key.key))}"


def _rsa_public_pem() -> bytes:
    return (
        rsa_key(0)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _attacker() -> SigningKey:
    return SigningKey("rsa-1", rsa_key(1), "RS256")


def _tamper_payload(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{_json(claims)}.{signature}"


def _flip_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[5] != "A" else "B").join((signature[:5], signature[6:]))
    return f"{header}.{payload}.{flipped}"


Forge = Callable[[IdentityProvider], str]

ATTACKS: dict[str, Forge] = {
    "alg none": lambda idp: f"{_json({'alg': 'none', 'kid': 'rsa-1'})}.{_json(idp.claims())}.",
    "alg none with a signature": lambda idp: (
        jwt.encode(idp.claims(), None, algorithm="none", headers={"kid": "rsa-1"}) + "c2lnbmF0dXJl"
    ),
    "HS256 signed with the RSA public key": lambda idp: _hs256(
        {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}, idp.claims(), _rsa_public_pem()
    ),
    "RS512 where only RS256/ES256 are allowed": lambda idp: idp.token(
        SigningKey("rsa-1", rsa_key(0), "RS512")
    ),
    "ES256 header on the RSA kid": lambda idp: idp.token(SigningKey("rsa-1", ec_key(), "ES256")),
    "kid with path traversal": lambda idp: idp.token(
        SigningKey("../../../../../etc/passwd", rsa_key(1), "RS256")
    ),
    "kid that is a URL": lambda idp: idp.token(
        SigningKey("http://127.0.0.1:9/jwks.json", rsa_key(1), "RS256")
    ),
    "kid that is not a string": lambda idp: _raw({"kid": 7}, idp.claims(), idp.keys[0]),
    "kid of 1000 characters": lambda idp: _raw({"kid": "k" * 1000}, idp.claims(), idp.keys[0]),
    "signed by another key under the real kid": lambda idp: idp.token(_attacker()),
    "signature altered": lambda idp: _flip_signature(idp.token()),
    "claims altered (scope raised)": lambda idp: _tamper_payload(
        idp.token(), scope="tax:read health:read admin"
    ),
    "claims altered (agency changed)": lambda idp: _tamper_payload(idp.token(), agency="health"),
    "expired": lambda idp: idp.token(exp=int(time.time()) - 120, iat=int(time.time()) - 900),
    "not yet valid (nbf)": lambda idp: idp.token(nbf=int(time.time()) + 600),
    "issued in the future (iat)": lambda idp: idp.token(iat=int(time.time()) + 600),
    "missing iat": lambda idp: idp.token(iat=None),
    "missing exp": lambda idp: idp.token(exp=None),
    "missing sub": lambda idp: idp.token(sub=None),
    "wrong aud": lambda idp: idp.token(aud="another-service"),
    "missing aud": lambda idp: idp.token(aud=None),
    "wrong issuer": lambda idp: idp.token(iss="https://other.example"),
    "look-alike issuer": lambda idp: idp.token(iss="https://idp.example.evil"),
    "issuer with a trailing slash": lambda idp: idp.token(iss="https://idp.example/"),
    "issuer with another case": lambda idp: idp.token(iss="https://IDP.example"),
    "missing issuer": lambda idp: idp.token(iss=None),
    "crit header": lambda idp: idp.token(headers={"crit": ["exp"]}),
    "crit b64 (an extension pyjwt knows)": lambda idp: idp.token(
        headers={"crit": ["b64"], "b64": True}
    ),
    "embedded jwk of the attacker's key": lambda idp: idp.token(
        _attacker(), headers={"jwk": public_jwk(rsa_key(1))}
    ),
    "agency of the wrong shape": lambda idp: idp.token(agency=["tax", "health"]),
    "scope of the wrong shape": lambda idp: idp.token(scope=42),
    "broken base64": lambda idp: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOi@@.c2ln",
    "header not base64 JSON": lambda idp: f"{_b64(b'not json')}.{_json(idp.claims())}.c2ln",
    "payload not JSON": lambda idp: f"{_json({'alg': 'RS256', 'kid': 'rsa-1'})}.{_b64(b'[')}.c2ln",
    "payload a JSON list": lambda idp: f"{_json({'alg': 'RS256'})}.{_json([1, 2])}.c2ln",
    "two parts only": lambda idp: ".".join(idp.token().split(".")[:2]),
    "a 16 KB token": lambda idp: idp.token(padding="x" * 16384),
}


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_forged_and_malformed_tokens_get_401_and_reach_no_subgraph(
    stack: AuthStack, name: str
) -> None:
    token = ATTACKS[name](stack.idp)
    before = stack.reached_subgraph()
    status, body, headers = await stack.post(token)
    assert status == 401, (name, body)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body
    challenge = headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="aggregator"')
    assert 'error="invalid_token"' in challenge
    assert stack.reached_subgraph() == before


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ("Bearer", "invalid_request"),
        ("Bearer ", "invalid_request"),
        ("Basic dXNlcjpwYXNzd29yZA==", "invalid_request"),
        ("Token abc.def.ghi", "invalid_request"),
        ("bearer", "invalid_request"),
        ("Bearer abc def", "invalid_token"),
    ],
)
async def test_other_schemes_and_empty_bearer_get_401(
    stack: AuthStack, header: str, error: str
) -> None:
    before = stack.reached_subgraph()
    status, body, headers = await stack.post(headers=[("Authorization", header)])
    assert status == 401
    assert f'error="{error}"' in headers["WWW-Authenticate"]
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert stack.reached_subgraph() == before


async def test_two_authorization_headers_get_401_even_when_both_are_valid(
    stack: AuthStack,
) -> None:
    token = stack.idp.token()
    before = stack.reached_subgraph()
    status, _, headers = await stack.post(
        headers=[("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]
    )
    assert status == 401
    assert 'error="invalid_request"' in headers["WWW-Authenticate"]
    assert stack.reached_subgraph() == before


async def test_a_valid_token_is_served(stack: AuthStack) -> None:
    before = stack.reached_subgraph()
    status, body, _ = await stack.post(stack.idp.token())
    assert (status, body) == (200, ANSWER)
    assert stack.reached_subgraph() == before + 1


async def test_token_lifetime_checks_allow_the_configured_leeway(stack: AuthStack) -> None:
    now = int(time.time())
    # 10 s past exp and 10 s early iat/nbf are within the default 30 s leeway
    token = stack.idp.token(exp=now - 10, iat=now + 10, nbf=now + 10)
    status, body, _ = await stack.post(token)
    assert (status, body) == (200, ANSWER)


async def test_jku_and_x5u_are_never_fetched() -> None:
    trap = CountingServer()
    async with serve_asgi(trap) as trap_url, auth_stack() as stack:
        attacker = SigningKey("attacker-kid", rsa_key(1), "RS256")
        attacker_jwks = json.dumps({"keys": [attacker.jwk()]}).encode()
        trap.body = attacker_jwks
        for header in (
            {"jku": f"{trap_url}/jwks.json"},
            {"x5u": f"{trap_url}/cert.pem"},
            {"jku": f"{trap_url}/jwks.json", "x5u": f"{trap_url}/c.pem", "x5c": ["MIIB"]},
        ):
            status, _, _ = await stack.post(stack.idp.token(attacker, headers=header))
            assert status == 401
        assert trap.requests == 0
        assert stack.reached_subgraph() == 0
        # the only key set ever fetched is the configured one
        assert set(stack.idp.requests) == {"/jwks"}


async def test_unknown_kid_refetches_once_then_401() -> None:
    async with auth_stack() as stack:
        assert (await stack.post(stack.idp.token()))[0] == 200
        assert stack.idp.requests["/jwks"] == 1
        stack.clock.advance(31)  # past the refetch interval, well within the keys' max-age
        stranger = SigningKey("unknown-kid", rsa_key(1), "RS256")
        status, _, headers = await stack.post(stack.idp.token(stranger))
        assert status == 401
        assert 'error="invalid_token"' in headers["WWW-Authenticate"]
        assert stack.idp.requests["/jwks"] == 2
        # within the interval a second unknown kid costs the provider nothing
        status, _, _ = await stack.post(stack.idp.token(SigningKey("other", rsa_key(1), "RS256")))
        assert status == 401
        assert stack.idp.requests["/jwks"] == 2
        assert stack.reached_subgraph() == 1


async def test_an_untrusted_issuer_costs_no_key_fetch() -> None:
    async with auth_stack() as stack:
        status, _, _ = await stack.post(stack.idp.token(iss="https://idp.example.evil"))
        assert status == 401
        assert stack.idp.requests["/jwks"] == 0
