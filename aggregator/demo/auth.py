"""The demo's DEVELOPMENT-ONLY identity: a key pair shipped in the package, tokens, trust.

The private key in ``keys/`` is public knowledge (it is in the repository and
in every wheel): any gateway that trusts it accepts tokens anyone can mint.
It exists so the demo and tests can show authorization without an identity
provider. Its issuer is under ``.invalid`` (RFC 2606), so it can never be
mistaken for, or collide with, a real one.

- ``demo_authenticator()`` trusts the development key (one call for the demo);
- ``dev_token(...)`` / ``aggregator token`` mint tokens with it;
- ``keys/dev-only-auth.yaml`` is the ``auth:`` snippet for a config file.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jwt

from aggregator.config.auth_model import AuthConfig, IssuerConfig, KeyFile, Origin
from aggregator.security.authn import JwtAuthenticator, build_authenticator
from aggregator.security.keys import load_private_key

__all__ = [
    "DEV_AUDIENCE",
    "DEV_AUTH_SNIPPET",
    "DEV_ISSUER",
    "DEV_JWKS",
    "DEV_KID",
    "DEV_SIGNING_KEY",
    "demo_auth_config",
    "demo_authenticator",
    "dev_token",
    "token_command",
]

KEYS_DIR = Path(__file__).resolve().parent / "keys"
DEV_SIGNING_KEY = KEYS_DIR / "dev-only-signing-key.pem"
DEV_JWKS = KEYS_DIR / "dev-only-jwks.json"
DEV_AUTH_SNIPPET = KEYS_DIR / "dev-only-auth.yaml"
DEV_ISSUER = "https://aggregator-demo.invalid/dev-only"
DEV_AUDIENCE = "aggregator-demo"
DEV_KID = "aggregator-demo-dev-only"
DEV_ALGORITHM = "ES256"
MAX_TTL_S = 30 * 86400


def demo_auth_config(*, anonymous: bool = True) -> AuthConfig:
    """``auth:`` trusting only the development key; anonymous callers allowed by default."""
    issuer = IssuerConfig(
        issuer=DEV_ISSUER,
        audiences=(DEV_AUDIENCE,),
        key_files=(KeyFile(DEV_JWKS, origin=Origin(str(DEV_JWKS))),),
        algorithms=(DEV_ALGORITHM,),
        origin=Origin(key="demo development issuer"),
    )
    return AuthConfig(issuers=(issuer,), anonymous=anonymous)


def demo_authenticator(*, anonymous: bool = True) -> JwtAuthenticator:
    """The authenticator the demo serves with: ``ServerOptions(authenticator=...)``."""
    return build_authenticator(demo_auth_config(anonymous=anonymous))


def dev_token(
    subject: str,
    *,
    agency: str | None = None,
    scopes: Iterable[str] = (),
    purpose: str | None = None,
    ttl_s: int = 3600,
    claims: Mapping[str, Any] | None = None,
) -> str:
    """A token signed with the development key (``claims`` adds or replaces claims)."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": subject,
        "iat": now,
        "exp": now + ttl_s,
        "jti": secrets.token_urlsafe(12),
    }
    if agency is not None:
        payload["agency"] = agency
    granted = sorted(set(scopes))
    if granted:
        payload["scope"] = " ".join(granted)
    if purpose is not None:
        payload["purpose"] = purpose
    payload.update(claims or {})
    key = load_private_key(DEV_SIGNING_KEY)
    return jwt.encode(payload, key, algorithm=DEV_ALGORITHM, headers={"kid": DEV_KID, "typ": "JWT"})


def add_token_command(commands: Any) -> None:
    tool = commands.add_parser(
        "token", help="print a DEVELOPMENT token signed with the demo's key (never for production)"
    )
    tool.add_argument("--subject", help="the caller (sub claim); required")
    tool.add_argument("--agency", help="the caller's agency (agency claim)")
    tool.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="SCOPE",
        help="a granted scope; repeat for several (e.g. --scope tax:read)",
    )
    tool.add_argument("--purpose", help="declared purpose of use (purpose claim)")
    tool.add_argument(
        "--ttl",
        type=int,
        default=3600,
        metavar="SECONDS",
        help="lifetime in seconds (default 3600)",
    )
    tool.add_argument(
        "--print-config",
        action="store_true",
        help="print the auth: config section that trusts these tokens instead",
    )
    tool.set_defaults(func=token_command)


def dev_auth_yaml() -> str:
    """The ``auth:`` config section trusting the development key, with the key's installed path.

    For development configs and tests only: anyone can mint tokens this section accepts.
    """
    return DEV_AUTH_SNIPPET.read_text(encoding="utf-8").replace(
        "keys: [dev-only-jwks.json]  # the public half; resolved next to this file",
        f"keys: [{DEV_JWKS}]  # the public half",
    )


def token_command(args: argparse.Namespace) -> int:
    if args.print_config:
        sys.stdout.write(dev_auth_yaml())
        return 0
    if not args.subject:
        print("aggregator: error: token needs --subject", file=sys.stderr)
        return 2
    if not 0 < args.ttl <= MAX_TTL_S:
        print(f"aggregator: error: --ttl must be 1..{MAX_TTL_S} seconds", file=sys.stderr)
        return 2
    for scope in args.scope:
        if not scope or any(c.isspace() for c in scope):
            print(
                f"aggregator: error: --scope {scope!r}: one scope, without spaces", file=sys.stderr
            )
            return 2
    print(
        dev_token(
            args.subject,
            agency=args.agency,
            scopes=args.scope,
            purpose=args.purpose,
            ttl_s=args.ttl,
        )
    )
    return 0
