"""Turn a subgraph's TLS settings into an ``ssl.SSLContext`` for aiohttp.

Kept next to the config model so that SDL fetching and the gateway's HTTP
transport verify and present certificates the same way.
"""

from __future__ import annotations

import ssl

from aggregator.config.model import TlsConfig


def ssl_context(tls: TlsConfig | None) -> ssl.SSLContext | None:
    """``None`` means the platform defaults (system CA store, no client certificate)."""
    if tls is None:
        return None
    context = ssl.create_default_context(
        cafile=str(tls.ca_file) if tls.ca_file is not None else None
    )
    if tls.cert_file is not None:
        context.load_cert_chain(
            str(tls.cert_file), str(tls.key_file) if tls.key_file is not None else None
        )
    return context
