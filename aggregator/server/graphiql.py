"""The GraphiQL page and its assets, served by the gateway from its own origin.

Government networks often forbid pages that pull code from CDNs, so the whole
IDE (GraphiQL, React, Monaco and its workers, the explorer, fonts, CSS) ships
inside the Python package, prebuilt by ``web/graphiql/build.sh`` into
``static/graphiql/``; installing the gateway needs no Node.

The page goes out with a strict Content-Security-Policy: scripts, styles,
fonts, workers and fetches only from ``'self'`` (images also from ``data:``), the page's one inline
``<style>`` allowed by a fresh per-response nonce, no ``eval``. The bundle
hands that nonce to the libraries that create ``<style>`` elements at run
time (Monaco, Radix), so they work without ``'unsafe-inline'`` styles.
Assets have content-hashed names and are cached for a year as immutable.

The server app decides when to call these functions (development mode, a
browser asking for HTML; ``graphiql_routes`` is the glue); this module only
knows how to answer.
"""

from __future__ import annotations

import gzip
import json
import secrets
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

ASSET_PREFIX = "/graphiql/"

_STATIC_PACKAGE = "aggregator.server"
_STATIC_DIR = ("static", "graphiql")

_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".svg": "image/svg+xml",
}
_COMPRESSIBLE = (".js", ".css", ".json", ".ttf", ".svg")

IMMUTABLE_CACHE = "public, max-age=31536000, immutable"


@dataclass
class GraphiQLOptions:
    """What the page shows: where it sends operations, plans and which examples."""

    endpoint: str = "/graphql"
    plan_endpoint: str | None = None
    example_operations: list[tuple[str, str]] = field(default_factory=list)
    default_headers: str = ""
    title: str = "aggregator · GraphiQL"
    asset_prefix: str = ASSET_PREFIX


def examples_from_files(paths: list[Path]) -> list[tuple[str, str]]:
    """Example tabs from ``.graphql`` files, in the order given.

    A file's title is its first line when that is a ``# comment`` (which is
    then left out of the query, since the page shows the title as a comment),
    otherwise the file name without its suffix.
    """
    examples = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        if first.startswith("#"):
            examples.append((first.lstrip("#").strip(), rest.lstrip("\n")))
        else:
            examples.append((path.stem, text))
    return examples


class GraphiQLAssetsMissing(RuntimeError):
    """The built assets are not in the package (run web/graphiql/build.sh)."""


@cache
def _static_root() -> Any:
    root = resources.files(_STATIC_PACKAGE)
    for part in _STATIC_DIR:
        root = root.joinpath(part)
    return root


@cache
def manifest() -> dict[str, Any]:
    """The build's map from logical names (``app.js``) to hashed file names."""
    entry = _static_root().joinpath("manifest.json")
    try:
        data: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise GraphiQLAssetsMissing(
            "GraphiQL assets are missing from aggregator/server/static/graphiql; "
            "rebuild them with web/graphiql/build.sh"
        ) from exc
    return data


def _security_headers() -> dict[str, str]:
    return {
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cross-origin-resource-policy": "same-origin",
    }


def content_security_policy(nonce: str) -> str:
    """The page's CSP; each directive names the only sources the IDE needs."""
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{nonce}'",
        # Monaco renders editor lines and line numbers as HTML strings with
        # style="top:..px" attributes; attributes cannot run code, and
        # <style> elements still need the nonce.
        "style-src-attr 'unsafe-inline'",
        "font-src 'self'",
        # Monaco draws error squiggles as data: SVG backgrounds coloured by the
        # theme at run time; images cannot run code.
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
    return "; ".join(directives)


def _json_for_html(value: Any) -> str:
    """JSON that cannot close the ``<script>`` element it is embedded in."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(options: GraphiQLOptions) -> tuple[bytes, dict[str, str]]:
    """The GraphiQL HTML and its response headers, with a fresh CSP nonce."""
    files = manifest()
    nonce = secrets.token_urlsafe(18)
    config = {
        "endpoint": options.endpoint,
        "planEndpoint": options.plan_endpoint,
        "examples": [[title, query] for title, query in options.example_operations],
        "defaultHeaders": options.default_headers,
    }
    prefix = escape(options.asset_prefix, quote=True)
    config_json = _json_for_html(config)
    html = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{escape(options.title)}</title>
<link rel="icon" type="image/svg+xml" href="{prefix}{escape(files["favicon.svg"], quote=True)}">
<link rel="stylesheet" href="{prefix}{escape(files["app.css"], quote=True)}">
<style nonce="{nonce}">html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="graphiql-config" nonce="{nonce}">{config_json}</script>
<script type="module" src="{prefix}{escape(files["app.js"], quote=True)}"></script>
</body>
</html>
"""
    headers = {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": content_security_policy(nonce),
        "cache-control": "no-store",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        **_security_headers(),
    }
    return html.encode("utf-8"), headers


@cache
def _asset_bytes(name: str) -> bytes:
    data: bytes = _static_root().joinpath(name).read_bytes()
    return data


@cache
def _asset_gzip(name: str) -> bytes:
    return gzip.compress(_asset_bytes(name), compresslevel=6, mtime=0)


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def static_asset(path: str, accept_encoding: str = "") -> tuple[bytes, dict[str, str]] | None:
    """One built asset by URL path (``/graphiql/app.<hash>.js``), or None if unknown.

    Only names listed in the build manifest are served, so no path can reach
    outside the asset folder. Text assets are gzipped once and kept in memory
    when the client accepts gzip.
    """
    name = path[len(ASSET_PREFIX) :] if path.startswith(ASSET_PREFIX) else path
    if name not in manifest()["files"]:
        return None
    suffix = name[name.rfind(".") :]
    headers = {
        "content-type": _CONTENT_TYPES.get(suffix, "application/octet-stream"),
        "cache-control": IMMUTABLE_CACHE,
        **_security_headers(),
    }
    if suffix == ".svg":
        # an image opened directly must not become a page that runs code
        headers["content-security-policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    if suffix in _COMPRESSIBLE:
        headers["vary"] = "accept-encoding"
        if _accepts_gzip(accept_encoding):
            headers["content-encoding"] = "gzip"
            return _asset_gzip(name), headers
    return _asset_bytes(name), headers
