"""The ``auth:`` and ``headers:`` sections: what loads, and every refusal naming file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from aggregator.config import ConfigError, load_config
from aggregator.config.auth_model import (
    ForwardHeader,
    InsertHeader,
    InternalTokenHeader,
    RemoveHeader,
)
from aggregator.demo.auth import DEV_AUTH_SNIPPET
from aggregator.registry.gateway_factory import (
    authenticator,
    header_propagation,
    internal_token_signer,
)

SUBGRAPHS = """
subgraphs:
  - name: tax
    url: http://tax.internal/graphql
    headers: {Authorization: "Bearer service-token"}
  - name: health
    url: http://health.internal/graphql
"""


def write(tmp_path: Path, text: str, name: str = "aggregator.yaml") -> Path:
    (tmp_path / "s.graphql").touch()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pem(tmp_path: Path, name: str, key: object, *, private: bool = False) -> Path:
    if private:
        data = key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        data = key.public_key().public_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_full_auth_section_loads(tmp_path: Path) -> None:
    pem(tmp_path, "idp.pem", ec.generate_private_key(ec.SECP256R1()))
    pem(tmp_path, "gateway.pem", ed25519.Ed25519PrivateKey.generate(), private=True)
    config = load_config(
        write(
            tmp_path,
            SUBGRAPHS
            + """
auth:
  anonymous: true
  realm: citizen portal
  max_token_bytes: 4096
  purpose_header: X-Purpose-Of-Use
  jwks_cache: {min_ttl_s: 30, max_ttl_s: 3600, refetch_interval_s: 10, stale_if_error_s: 0}
  issuers:
    - issuer: https://login.agency.gov
      audience: [portal, https://api.agency.gov]
      jwks_url: https://login.agency.gov/keys
      algorithms: [RS256, PS256]
      leeway_s: 0
      require_typ: at+jwt
      claims: {subject: oid, agency: tenant, purpose: null, scopes: scp}
      roles:
        claim: roles
        scopes: {officer: [tax:read, tax:write], nurse: health:read}
    - issuer: http://127.0.0.1:9999/realms/dev
      audience: portal
      discovery: true
    - issuer: local-signer
      audience: portal
      algorithms: [ES256]
      keys: [idp.pem, {file: idp.pem, kid: second}]
  internal_tokens:
    issuer: https://gateway.agency.gov
    key_file: gateway.pem
    algorithm: EdDSA
    ttl_s: 120
headers:
  all:
    - forward: accept-language
  subgraphs:
    tax:
      - insert: X-Agency
        claim: agency
      - rename: x-request-id
        to: x-correlation-id
      - internal_token: x-gateway-token
        audience: urn:agency:tax
      - remove: x-debug
      - forward: authorization
        override: true
""",
        )
    )
    auth = config.auth
    assert auth is not None
    assert (auth.anonymous, auth.realm, auth.max_token_bytes) == (True, "citizen portal", 4096)
    assert auth.purpose_header == "x-purpose-of-use"
    assert (auth.jwks_cache.min_ttl_s, auth.jwks_cache.stale_if_error_s) == (30, 0)
    first, second, third = auth.issuers
    assert first.audiences == ("portal", "https://api.agency.gov")
    assert (first.subject_claim, first.agency_claim, first.purpose_claim) == ("oid", "tenant", None)
    assert first.scopes.claims == ("scp",)
    assert first.scopes.roles == {"officer": ("tax:read", "tax:write"), "nurse": ("health:read",)}
    assert (first.require_typ, first.leeway_s, first.algorithms) == (
        "at+jwt",
        0,
        ("RS256", "PS256"),
    )
    assert second.discovery
    assert second.jwks_url is None
    assert [k.kid for k in third.key_files] == [None, "second"]
    assert third.key_files[0].origin.line == 32
    assert auth.internal_tokens is not None
    assert auth.internal_tokens.algorithm == "EdDSA"
    assert config.headers.all == (
        ForwardHeader("accept-language", origin=config.headers.all[0].origin),
    )
    kinds = [type(r) for r in config.headers.subgraphs["tax"]]
    assert kinds == [InsertHeader, ForwardHeader, InternalTokenHeader, RemoveHeader, ForwardHeader]
    rename = config.headers.subgraphs["tax"][1]
    assert isinstance(rename, ForwardHeader)
    assert rename.target == "x-correlation-id"
    # start-up builds everything the section describes
    assert authenticator(config) is not None
    assert internal_token_signer(config) is not None
    header_propagation(config)


def test_the_development_snippet_loads_and_trusts_the_demo_key(tmp_path: Path) -> None:
    text = DEV_AUTH_SNIPPET.read_text(encoding="utf-8").replace(
        "dev-only-jwks.json", str(DEV_AUTH_SNIPPET.parent / "dev-only-jwks.json")
    )
    config = load_config(write(tmp_path, "supergraph_file: s.graphql\n" + text))
    assert config.auth is not None
    assert config.auth.issuers[0].issuer == "https://aggregator-demo.invalid/dev-only"
    assert authenticator(config) is not None


AUTH = "auth:\n  issuers:\n    - issuer: https://idp.example\n      audience: gw\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            AUTH + "      jwks_url: https://idp.example/keys\n      audeince: x\n",
            "aggregator.yaml:6: auth.issuers[0].audeince: unknown key (did you mean 'audience'?)",
        ),
        (
            "auth:\n  issuers:\n    - issuer: https://idp.example\n"
            "      jwks_url: https://idp.example/keys\n",
            "aggregator.yaml:3: auth.issuers[0].audience: required key is missing (tokens for "
            "other services must not be accepted)",
        ),
        (
            AUTH,
            "aggregator.yaml:3: auth.issuers[0]: give exactly one key source: 'jwks_url', "
            "'discovery: true' (OpenID Connect) or 'keys' (local files)",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n      discovery: true\n",
            "aggregator.yaml:6: auth.issuers[0]: give exactly one key source",
        ),
        (
            AUTH + "      jwks_url: http://idp.example/keys\n",
            "aggregator.yaml:5: auth.issuers[0].jwks_url: keys must come over https (http only "
            "from a loopback address)",
        ),
        (
            "auth:\n  issuers:\n    - issuer: my-idp\n      audience: gw\n      discovery: true\n",
            "aggregator.yaml:3: auth.issuers[0].issuer: URL scheme must be http or https",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n      algorithms: [HS256]\n",
            "aggregator.yaml:6: auth.issuers[0].algorithms[0]: HS256 is a shared-secret "
            "algorithm: anyone who can verify could also mint tokens",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n      algorithms: [none]\n",
            "aggregator.yaml:6: auth.issuers[0].algorithms[0]: unsigned tokens ('none') are "
            "never accepted",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n      algorithms: [RS257]\n",
            "aggregator.yaml:6: auth.issuers[0].algorithms[0]: unknown algorithm 'RS257'",
        ),
        (
            AUTH + "      keys: [missing.pem]\n",
            "aggregator.yaml:5: auth.issuers[0].keys[0]: file not found: ",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n"
            "    - issuer: https://idp.example\n      audience: gw\n"
            "      jwks_url: https://idp.example/keys\n",
            "aggregator.yaml:6: auth.issuers[1].issuer: issuer 'https://idp.example' is listed "
            "twice (first in auth.issuers[0])",
        ),
        (
            "auth:\n  anonymous: true\n",
            "aggregator.yaml:2: auth.issuers: list at least one token issuer",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n"
            "  jwks_cache: {min_ttl_s: 100, max_ttl_s: 10}\n",
            "aggregator.yaml:6: auth.jwks_cache.min_ttl_s: min_ttl_s (100) is above max_ttl_s (10)",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n  max_token_bytes: 10\n",
            "aggregator.yaml:6: auth.max_token_bytes: must be 256..65536, got 10",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n  internal_tokens: {issuer: gw}\n",
            "aggregator.yaml:6: auth.internal_tokens.key_file: required key is missing",
        ),
        (
            AUTH + "      jwks_url: https://idp.example/keys\n      claims: {agency: [a]}\n",
            "aggregator.yaml:6: auth.issuers[0].claims.agency: must be a string, got 'a list'",
        ),
    ],
)
def test_bad_auth_sections_name_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text + "supergraph_file: s.graphql\n"))
    assert str(info.value).startswith(expected), str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "headers:\n  subgraphs:\n    taxes:\n      - forward: accept-language\n",
            "aggregator.yaml:10: headers.subgraphs.taxes: no subgraph named 'taxes' "
            "(did you mean 'tax'?)",
        ),
        (
            "headers:\n  all:\n    - forward: Host\n",
            "aggregator.yaml:10: headers.all[0].forward: 'host' is set by the gateway's HTTP "
            "client or tracer; rules cannot change it",
        ),
        (
            "headers:\n  all:\n    - fowrard: accept\n",
            "aggregator.yaml:10: headers.all[0].fowrard: unknown key (did you mean 'forward'?)",
        ),
        (
            "headers:\n  all:\n    - {forward: a, remove: b}\n",
            "aggregator.yaml:10: headers.all[0]: give exactly one of forward, rename, insert",
        ),
        (
            "headers:\n  all:\n    - {rename: a}\n",
            "aggregator.yaml:10: headers.all[0].to: required key is missing",
        ),
        (
            "headers:\n  all:\n    - {insert: x-agency, claim: agency}\n",
            "aggregator.yaml:10: headers.all[0].claim: claims come from validated tokens: "
            "configure 'auth' first",
        ),
        (
            "headers:\n  all:\n    - {insert: x-a, claim: agency, value: b}\n",
            "aggregator.yaml:10: headers.all[0]: give exactly one of 'claim' and 'value'",
        ),
        (
            "headers:\n  all:\n    - {insert: x-a, value: '${NOPE_UNSET}'}\n",
            "aggregator.yaml:10: headers.all[0].value: environment variable NOPE_UNSET is not set",
        ),
        (
            "headers:\n  all:\n    - {internal_token: authorization}\n",
            "aggregator.yaml:10: headers.all[0].internal_token: needs auth.internal_tokens",
        ),
        (
            "headers:\n  subgraphs:\n    tax:\n      - forward: authorization\n",
            "aggregator.yaml:11: headers.subgraphs.tax[0].forward: subgraph 'tax' already sends "
            "'authorization' (its 'headers:'); add 'override: true'",
        ),
        (
            "headers:\n  all:\n    - {forward: accept-language, override: maybe}\n",
            "aggregator.yaml:10: headers.all[0].override: must be true or false, got 'maybe'",
        ),
    ],
)
def test_bad_header_rules_name_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, SUBGRAPHS + text))
    assert str(info.value).startswith(expected), str(info.value)


def _issuer_with_key(tmp_path: Path, key_file: str, algorithms: str) -> Path:
    return write(
        tmp_path,
        "supergraph_file: s.graphql\n"
        + AUTH
        + f"      algorithms: [{algorithms}]\n"
        + f"      keys:\n        - {key_file}\n",
    )


@pytest.mark.parametrize(
    ("make", "algorithms", "expected"),
    [
        (
            lambda p: pem(p, "k.pem", ec.generate_private_key(ec.SECP256R1())),
            "RS256",
            "aggregator.yaml:8: auth.issuers[0].keys[0]: k.pem holds no key usable with the "
            "issuer's algorithms (RS256): key #0: no allowed algorithm (RS256) fits a EC key",
        ),
        (
            lambda p: pem(p, "k.pem", ec.generate_private_key(ec.SECP384R1())),
            "ES256",
            "aggregator.yaml:8: auth.issuers[0].keys[0]: k.pem holds no key usable",
        ),
        (
            lambda p: pem(p, "k.pem", ec.generate_private_key(ec.SECP256R1()), private=True),
            "ES256",
            "aggregator.yaml:8: auth.issuers[0].keys[0]: k.pem holds a private key; give the "
            "public key (or certificate)",
        ),
        (
            lambda p: write(
                p, "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", "k.pem"
            ),
            "ES256",
            "aggregator.yaml:8: auth.issuers[0].keys[0]: k.pem is not a readable PEM public key",
        ),
        (
            lambda p: write(p, "hello", "k.pem"),
            "ES256",
            "aggregator.yaml:8: auth.issuers[0].keys[0]: k.pem is neither PEM nor a JSON JWK",
        ),
        (
            lambda p: write(p, '{"kty": "oct", "k": "c2VjcmV0"}', "k.pem"),
            "ES256",
            "aggregator.yaml:8: auth.issuers[0].keys[0]: k.pem holds no key usable with the "
            "issuer's algorithms (ES256): key #0: private or symmetric keys are never used",
        ),
        (
            lambda p: pem(
                p, "k.pem", rsa.generate_private_key(public_exponent=65537, key_size=1024)
            ),
            "RS256",
            "aggregator.yaml:8: auth.issuers[0].keys[0]: k.pem holds no key usable with the "
            "issuer's algorithms (RS256): key #0: RSA key of 1024 bits",
        ),
    ],
)
def test_key_files_the_gateway_cannot_verify_with_stop_start_up(
    tmp_path: Path, make: object, algorithms: str, expected: str
) -> None:
    make(tmp_path)  # type: ignore[operator]
    config = load_config(_issuer_with_key(tmp_path, "k.pem", algorithms))
    with pytest.raises(ConfigError) as info:
        authenticator(config)
    assert str(info.value).startswith(expected), str(info.value)


def test_an_internal_token_key_that_cannot_sign_the_algorithm_stops_start_up(
    tmp_path: Path,
) -> None:
    pem(tmp_path, "gw.pem", ec.generate_private_key(ec.SECP256R1()), private=True)
    config = load_config(
        write(
            tmp_path,
            "supergraph_file: s.graphql\n"
            + AUTH
            + "      jwks_url: https://idp.example/k\n"
            + "  internal_tokens:\n    issuer: gw\n    key_file: gw.pem\n    algorithm: RS256\n",
        )
    )
    with pytest.raises(ConfigError) as info:
        internal_token_signer(config)
    assert str(info.value).startswith(
        "aggregator.yaml:9: auth.internal_tokens.key_file: gw.pem holds a EC P-256 key, which "
        "cannot sign RS256"
    )
    pem(tmp_path, "gw.pem", ec.generate_private_key(ec.SECP256R1()))  # a public key
    with pytest.raises(ConfigError, match=r"gw\.pem is not a readable PEM private key"):
        internal_token_signer(config)
