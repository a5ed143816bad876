"""The GraphiQL page's security headers and the assets' caching, over real HTTP."""

from __future__ import annotations

import gzip
import hashlib
import re

import aiohttp

from aggregator.server import ServerOptions, create_app
from aggregator.server.graphiql import (
    ASSET_PREFIX,
    IMMUTABLE_CACHE,
    GraphiQLOptions,
    manifest,
    render_page,
    static_asset,
)
from tests.browser.shop_gateway import serve_shop, shop_options
from tests.support.servers import serve_asgi

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_policy_allows_only_self_and_the_nonce() -> None:
    body, headers = render_page(GraphiQLOptions())
    policy = csp_directives(headers["content-security-policy"])
    nonce = re.search(rb'<style nonce="([^"]+)">', body)
    assert nonce is not None
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce.group(1).decode()}'"]
    for directive in ("font-src", "connect-src", "worker-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    every_source = " ".join(" ".join(sources) for sources in policy.values())
    assert "unsafe-eval" not in every_source
    assert "http" not in every_source
    assert every_source.count("data:") == 1
    assert every_source.count("unsafe-inline") == 1
    assert "blob:" not in every_source


def test_page_has_no_inline_script_and_a_fresh_nonce_each_time() -> None:
    first, first_headers = render_page(GraphiQLOptions())
    _second, second_headers = render_page(GraphiQLOptions())
    assert first_headers["content-security-policy"] != second_headers["content-security-policy"]
    scripts = re.findall(rb"<script([^>]*)>", first)
    assert len(scripts) == 2
    # the only script that runs is loaded from the gateway; the other is JSON data
    assert b'type="module" src="/graphiql/app.' in scripts[1]
    assert b'type="application/json"' in scripts[0]
    assert first_headers["x-content-type-options"] == "nosniff"
    assert first_headers["cache-control"] == "no-store"
    assert first_headers["referrer-policy"] == "no-referrer"
    assert first_headers["x-frame-options"] == "DENY"
    assert first_headers["content-type"] == "text/html; charset=utf-8"


def test_example_operations_cannot_break_out_of_the_config_block() -> None:
    hostile = "query X { a } # </script><script>alert(1)</script>"
    body, _ = render_page(GraphiQLOptions(example_operations=[("</script>", hostile)]))
    assert body.count(b"</script>") == 2
    assert b"<script>alert" not in body
    assert b"\\u003c/script\\u003e" in body


def test_asset_names_are_hashes_of_their_bytes() -> None:
    files = manifest()["files"]
    assert len(files) > 5
    for name in files:
        asset = static_asset(ASSET_PREFIX + name)
        assert asset is not None, name
        data, headers = asset
        digest = name.split(".")[-2]
        assert hashlib.sha256(data).hexdigest().startswith(digest), name
        assert headers["cache-control"] == IMMUTABLE_CACHE


def test_bundle_has_no_eval() -> None:
    files = manifest()
    for name in [files["app.js"], *files["workers"].values()]:
        asset = static_asset(ASSET_PREFIX + name)
        assert asset is not None
        code = asset[0]
        assert re.search(rb"\beval\(", code) is None, name
        assert b"new Function" not in code, name


def test_unknown_and_escaping_paths_are_not_served() -> None:
    assert static_asset("/graphiql/nope.js") is None
    assert static_asset("/graphiql/manifest.json") is None
    assert static_asset("/graphiql/../graphiql.py") is None
    assert static_asset("/graphiql/../../errors.py") is None
    assert static_asset("/graphiql/") is None


async def test_page_and_assets_over_http() -> None:
    files = manifest()
    app = create_app(None, ServerOptions())
    async with serve_asgi(app) as base_url, aiohttp.ClientSession() as session:
        async with session.get(f"{base_url}/graphql", headers=HTML) as response:
            assert response.status == 200
            assert "default-src 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"
            page = await response.text()
        referenced = re.findall(r'(?:href|src)="(/graphiql/[^"]+)"', page)
        assert sorted(referenced) == sorted(
            f"/graphiql/{files[key]}" for key in ("app.js", "app.css", "favicon.svg")
        )
        expected_types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
        for path in referenced:
            async with session.get(base_url + path) as response:
                assert response.status == 200, path
                assert response.headers["cache-control"] == IMMUTABLE_CACHE
                assert response.headers["x-content-type-options"] == "nosniff"
                kind = expected_types[path[path.rfind(".") :]]
                assert response.headers["content-type"].startswith(kind)
        async with session.get(f"{base_url}/graphiql/app.0000000000000000.js") as response:
            assert response.status == 404


async def test_text_assets_are_gzipped_when_accepted() -> None:
    name = manifest()["app.js"]
    app = create_app(None, ServerOptions())
    async with serve_asgi(app) as base_url, aiohttp.ClientSession(auto_decompress=False) as session:
        url = f"{base_url}/graphiql/{name}"
        async with session.get(url, headers={"accept-encoding": "gzip"}) as response:
            assert response.headers["content-encoding"] == "gzip"
            assert response.headers["vary"] == "accept-encoding"
            zipped = await response.read()
        async with session.get(url, headers={"accept-encoding": "identity"}) as response:
            assert "content-encoding" not in response.headers
            plain = await response.read()
    assert gzip.decompress(zipped) == plain
    assert len(zipped) < len(plain) / 2


async def test_production_mode_answers_browsers_with_a_plain_404() -> None:
    shop = serve_shop(shop_options(graphiql=False))
    async with shop as base_url, aiohttp.ClientSession() as session:
        async with session.get(f"{base_url}/graphql", headers=HTML) as response:
            assert response.status == 404
            assert response.headers["content-type"].startswith("text/plain")
            assert "GraphiQL is disabled" in await response.text()
        async with session.get(f"{base_url}/graphiql/{manifest()['app.js']}") as response:
            assert response.status == 404
        query = {"query": "{ me { name } }"}
        async with session.post(f"{base_url}/graphql", json=query) as response:
            assert await response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}
