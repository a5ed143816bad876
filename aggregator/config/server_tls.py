"""The ``tls:`` section: the gateway's own HTTPS listener.

Subgraph TLS (``subgraphs[].tls``) is about the gateway as a client; this
section is about the gateway as a server: its certificate, the lowest TLS
version it accepts, and optionally which CA the clients' certificates must
come from (mutual TLS from frontends or other agencies).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from aggregator.config.nodes import NodeReader

__all__ = ["CLIENT_AUTH", "TLS_VERSIONS", "ServerTlsConfig", "read_server_tls"]

TLS_VERSIONS = ("1.2", "1.3")
CLIENT_AUTH = ("none", "optional", "required")
_KEYS = (
    "cert_file",
    "key_file",
    "min_version",
    "client_ca_file",
    "client_auth",
    "hsts_max_age_s",
    "reload_interval_s",
)


@dataclass(frozen=True, slots=True)
class ServerTlsConfig:
    cert_file: Path
    key_file: Path
    min_version: str = "1.2"
    client_ca_file: Path | None = None
    # "required" refuses a handshake without a certificate from client_ca_file
    client_auth: str = "none"
    # Strict-Transport-Security max-age on every response; 0 sends no header
    hsts_max_age_s: int = 31_536_000
    # how often the certificate files are checked for a rotation
    reload_interval_s: float = 5.0


def read_server_tls(reader: NodeReader, node: yaml.Node) -> ServerTlsConfig:
    f = reader.mapping(node, "tls", _KEYS)
    for required in ("cert_file", "key_file"):
        if required not in f:
            raise reader.error(node, f"tls.{required}", "required key is missing")
    d = ServerTlsConfig(Path(), Path())
    # written as 1.2 it is a YAML float; its text is what was meant
    version = reader.optional(
        f,
        "min_version",
        lambda n: (
            n.value if isinstance(n, yaml.ScalarNode) else reader.string(n, "tls.min_version")
        ),
        d.min_version,
    )
    if version not in TLS_VERSIONS:
        raise reader.error(
            f["min_version"][1], "tls.min_version", f"must be 1.2 or 1.3, got {version}"
        )
    client_ca = reader.optional(
        f, "client_ca_file", lambda n: reader.path(n, "tls.client_ca_file"), None
    )
    client_auth = reader.optional(
        f,
        "client_auth",
        lambda n: reader.string(n, "tls.client_auth"),
        "required" if client_ca is not None else "none",
    )
    if client_auth not in CLIENT_AUTH:
        raise reader.error(
            f["client_auth"][1],
            "tls.client_auth",
            f"must be one of {', '.join(CLIENT_AUTH)}, got '{client_auth}'",
        )
    if client_auth != "none" and client_ca is None:
        raise reader.error(
            f["client_auth"][1],
            "tls.client_auth",
            "needs client_ca_file (the CA client certificates must come from)",
        )
    hsts = reader.optional(
        f,
        "hsts_max_age_s",
        lambda n: reader.scalar(n, "tls.hsts_max_age_s", int, "an integer"),
        d.hsts_max_age_s,
    )
    if hsts < 0:
        raise reader.error(f["hsts_max_age_s"][1], "tls.hsts_max_age_s", "must be 0 or more")
    return ServerTlsConfig(
        cert_file=reader.path(f["cert_file"][1], "tls.cert_file"),
        key_file=reader.path(f["key_file"][1], "tls.key_file"),
        min_version=version,
        client_ca_file=client_ca,
        client_auth=client_auth,
        hsts_max_age_s=hsts,
        reload_interval_s=reader.optional(
            f,
            "reload_interval_s",
            lambda n: reader.positive(n, "tls.reload_interval_s"),
            d.reload_interval_s,
        ),
    )
