"""Hostile HTTP input against a real `aggregator serve --config` in production mode.

Every refusal is a GraphQL error with an ``extensions.code`` and a 4xx status;
nothing a client sends yields a 5xx, a traceback, or the gateway's internals
(hosts, paths, Python exception text), and nothing hangs. Requests go over raw
sockets so malformed HTTP reaches the server as sent.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest

from aggregator.demo.auth import DEV_JWKS, dev_token
from tests.support.gateway_process import GatewayProcess, gateway

Q = "{ citizens(first: 1) { id } }"
INT_VAR = "query($n: Int) { citizens(first: $n) { id } }"
ID_VAR = "query($i: ID!) { citizen(id: $i) { id } }"

# what a response must never show a client
_INTERNALS = re.compile(
    r"Traceback|File \"|\.py\b|127\.0\.0\.1|localhost|object at 0x|/work/|site-packages|"
    r"(Key|Type|Value|Attribute|Recursion|Unicode\w*)Error|Exceeds the limit|set_int_max_str_digits"
)


def _json(body: object) -> bytes:
    return json.dumps(body).encode()


def _post(
    body: bytes,
    content_type: str | None = "application/json",
    headers: str = "",
    *,
    path: str = "/graphql",
) -> bytes:
    ctype = f"Content-Type: {content_type}\r\n" if content_type is not None else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n{ctype}{headers}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _get(
    query_string: str, headers: str = "", *, method: str = "GET", path: str = "/graphql"
) -> bytes:
    return (
        f"{method} {path}?{query_string} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n"
        f"{headers}\r\n"
    ).encode()


def _nest(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# name -> (raw request, expected status)
CASES: dict[str, tuple[bytes, int]] = {
    "truncated json": (_post(b'{"query": "{ citiz'), 400),
    "empty body": (_post(b""), 400),
    "json null": (_post(b"null"), 400),
    "batched array": (_post(_json([{"query": Q}, {"query": Q}])), 400),
    "huge integer variable": (
        _post(b'{"query": "' + INT_VAR.encode() + b'", "variables": {"n": 1' + b"0" * 5000 + b"}}"),
        400,
    ),
    "NaN variable": (
        _post(b'{"query": "' + INT_VAR.encode() + b'", "variables": {"n": NaN}}'),
        400,
    ),
    "10k-deep variable": (
        _post(b'{"query": "' + INT_VAR.encode() + b'", "variables": {"n": ' + _nest(10000) + b"}}"),
        400,
    ),
    "object for Int": (_post(_json({"query": INT_VAR, "variables": {"n": {"a": 1}}})), 200),
    "list for ID": (_post(_json({"query": ID_VAR, "variables": {"i": [1]}})), 200),
    "lone surrogate": (_post(b'{"query": "{ citizen(id: \\"\\ud800\\") { id } }"}'), 400),
    "invalid utf-8": (_post(b'{"query": "\xff{ __typename }"}'), 400),
    "overlong utf-8": (_post(b'{"query": "{ citizen(id: \\"\xc0\xaf\\") { id } }"}'), 400),
    "BOM": (_post(b'\xef\xbb\xbf{"query": "{ __typename }"}'), 400),
    "NUL in document": (_post(_json({"query": "{ citizens\u0000 { id } }"})), 200),
    "query not a string": (_post(_json({"query": ["{ __typename }"]})), 400),
    "operationName not a string": (_post(_json({"query": Q, "operationName": 1})), 400),
    "variables a string": (_post(_json({"query": Q, "variables": "{}"})), 400),
    "extensions a list": (_post(_json({"query": Q, "extensions": [1]})), 400),
    "persisted query hash only": (
        _post(_json({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}})),
        400,
    ),
    "introspection in production": (
        _post(_json({"query": "{ __schema { types { name } } }"})),
        200,
    ),
    "fragment cycle": (
        _post(
            _json(
                {
                    "query": "{ citizens { ...A } } fragment A on Citizen { ...B } "
                    "fragment B on Citizen { ...A }"
                }
            )
        ),
        200,
    ),
    "skip with a wrong variable": (
        _post(
            _json(
                {
                    "query": "query($s: Boolean!) { citizens @skip(if: $s) { id } }",
                    "variables": {"s": {"a": 1}},
                }
            )
        ),
        200,
    ),
    "5000-digit Int literal": (
        _post(_json({"query": "{ citizens(first: 1" + "0" * 5000 + ") { id } }"})),
        200,
    ),
    "no operation": (_post(_json({"query": "fragment A on Query { __typename }"})), 200),
    "subscription": (_post(_json({"query": "subscription { citizens { id } }"})), 200),
    "text/plain body": (_post(_json({"query": Q}), "text/plain"), 415),
    "no content-type": (_post(_json({"query": Q}), None), 415),
    "Accept application/xml": (
        _post(_json({"query": Q}), headers="Accept: application/xml\r\n"),
        406,
    ),
    "PUT": (_post(_json({"query": Q})).replace(b"POST", b"PUT", 1), 405),
    "Bearer without token": (_post(_json({"query": Q}), headers="Authorization: Bearer\r\n"), 401),
    "Basic scheme": (_post(_json({"query": Q}), headers="Authorization: Basic YTpi\r\n"), 401),
    "broken JWT": (_post(_json({"query": Q}), headers="Authorization: Bearer a.b.c\r\n"), 401),
    "GET broken percent-encoding": (_get("query=%7B%ZZ__typename%7D"), 200),
    "GET invalid utf-8": (_get("query=%ff%fe"), 200),
    "GET variables not JSON": (_get(f"query={quote(Q)}&variables=%7B"), 400),
    "GET mutation": (_get("query=" + quote("mutation { x }")), 200),
    "GET query over 64 KiB": (_get("query=" + quote("{ __typename " + " " * 70000 + "}")), 414),
    "unknown HTTP method": (_get("query=x", method="FOO"), 400),
    "negative Content-Length": (
        b"POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
        b"Content-Length: -1\r\n\r\n{}",
        400,
    ),
    "header without colon": (b"GET /graphql HTTP/1.1\r\nHost: gateway\r\nBad Header\r\n\r\n", 400),
}


async def _exchange(base_url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GatewayProcess]:
    config = tmp_path_factory.mktemp("hostile") / "aggregator.yaml"
    config.write_text(
        "server:\n  port: 0\n"
        "subgraphs:\n"
        "  - name: identity\n    python: resolvers.identity:schema\n"
        "  - name: health\n    python: resolvers.health:schema\n"
        "auth:\n  anonymous: true\n  issuers:\n"
        "    - issuer: https://aggregator-demo.invalid/dev-only\n"
        "      audience: aggregator-demo\n      algorithms: [ES256]\n"
        f"      keys: [{DEV_JWKS}]\n",
        encoding="utf-8",
    )
    async with gateway("--config", str(config), cwd=Path.cwd()) as running:
        yield running


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_request_gets_a_coded_graphql_error(
    production: GatewayProcess, name: str
) -> None:
    request, expected = CASES[name]
    status, headers, body = await _exchange(production.base_url, request)
    text = body.decode("utf-8", "replace")
    assert status == expected, text[:300]
    assert not _INTERNALS.search(text), text[:300]
    assert headers["content-type"].startswith("application/json"), headers
    payload = json.loads(body)
    assert payload["errors"], payload
    for error in payload["errors"]:
        assert error["extensions"]["code"], error


async def test_the_gateway_serves_after_the_sweep(production: GatewayProcess) -> None:
    token = dev_token("alice", scopes=["health:read"])
    request = _post(_json({"query": Q}), headers=f"Authorization: Bearer {token}\r\n")
    status, _, body = await _exchange(production.base_url, request)
    assert (status, json.loads(body)) == (200, {"data": {"citizens": [{"id": "C0001"}]}})
    assert "Traceback" not in production.logs()


async def test_a_long_get_url_is_told_to_use_post(production: GatewayProcess) -> None:
    status, _, body = await _exchange(
        production.base_url, _get("query=" + "%20" * 30000 + quote("{ __typename }"))
    )
    error = json.loads(body)["errors"][0]
    assert (status, error["extensions"]["code"]) == (414, "URI_TOO_LONG")
    assert "POST" in error["message"]
