"""Keys bound to algorithms, the bearer header grammar, and Cache-Control parsing."""

from __future__ import annotations

import pytest

from aggregator.security.bearer import bearer_token
from aggregator.security.fetch import cache_max_age
from aggregator.security.identity import AuthenticationError
from aggregator.security.keys import KeySet, algorithms_for, public_jwk, thumbprint
from tests.security.idp import ec_key, rsa_key


def test_an_rsa_key_is_never_bound_to_hmac_even_when_hmac_is_listed() -> None:
    jwk = {**public_jwk(rsa_key(0)), "kid": "k"}
    keys = KeySet.from_jwks([jwk], ["HS256", "RS256", "ES256"])
    assert keys.lookup("k", "RS256") is not None
    assert keys.lookup("k", "HS256") is None
    assert keys.lookup("k", "ES256") is None
    assert algorithms_for(jwk) == {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}


def test_a_jwk_alg_narrows_what_its_key_verifies() -> None:
    jwk = {**public_jwk(rsa_key(0)), "kid": "k", "alg": "PS256"}
    keys = KeySet.from_jwks([jwk], ["RS256", "PS256"])
    assert keys.lookup("k", "PS256") is not None
    assert keys.lookup("k", "RS256") is None


@pytest.mark.parametrize(
    ("jwk", "reason"),
    [
        ({"kty": "oct", "k": "c2VjcmV0", "kid": "s"}, "private or symmetric"),
        ({**public_jwk(ec_key()), "kid": "e", "use": "enc"}, "use is 'enc'"),
        ({**public_jwk(ec_key()), "kid": "e", "key_ops": ["encrypt"]}, "key_ops"),
        ({**public_jwk(ec_key()), "kid": "e", "alg": "ES384"}, "its alg 'ES384'"),
        ({"kty": "EC", "crv": "P-256", "x": "!!", "y": "??", "kid": "b"}, "unreadable"),
    ],
)
def test_unusable_keys_are_skipped_with_a_reason(jwk: dict[str, str], reason: str) -> None:
    keys = KeySet.from_jwks([jwk], ["ES256", "ES384", "RS256"])
    assert len(keys) == 0
    assert reason in keys.skipped[0]


def test_kidless_keys_and_kidless_tokens() -> None:
    rsa_jwk = public_jwk(rsa_key(0))
    ec_jwk = {**public_jwk(ec_key()), "kid": "ec"}
    keys = KeySet.from_jwks([rsa_jwk, ec_jwk], ["RS256", "ES256"])
    assert keys.lookup(None, "RS256") is not None  # the one RSA key
    assert keys.lookup("any-kid", "RS256") is not None  # a kid-less key serves any kid
    assert keys.lookup(None, "ES256") is not None
    two = KeySet.from_jwks([rsa_jwk, public_jwk(rsa_key(1))], ["RS256"])
    assert two.lookup(None, "RS256") is None  # ambiguous: no guessing


def test_thumbprint_is_rfc_7638() -> None:
    # RFC 7638 section 3.1 example key
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
        "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
        "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNL"
        "yrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJ"
        "zKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("max-age=600", 600),
        ("public, max-age=60, must-revalidate", 60),
        ('max-age="90"', 90),
        ("no-cache", 0),
        ("private, no-store, max-age=100", 0),
        ("max-age=soon", None),
        ("max-age=-5", 0),
    ],
)
def test_cache_control_max_age(value: str | None, expected: float | None) -> None:
    assert cache_max_age(value) == expected


def test_bearer_grammar() -> None:
    assert bearer_token([(b"authorization", b"Bearer a.b.c")], max_bytes=100) == "a.b.c"
    assert bearer_token([(b"authorization", b"bEaReR   a.b.c  ")], max_bytes=100) == "a.b.c"
    assert bearer_token([(b"x", b"y")], max_bytes=100) is None
    with pytest.raises(AuthenticationError, match="larger than 10 bytes"):
        bearer_token([(b"authorization", b"Bearer " + b"a" * 11)], max_bytes=10)
    with pytest.raises(AuthenticationError, match="more than one"):
        bearer_token(
            [(b"authorization", b"Bearer a.b.c"), (b"Authorization", b"Bearer a.b.c")],
            max_bytes=100,
        )
