"""GraphQL-over-HTTP behaviour and bad input, over real HTTP through uvicorn."""

from __future__ import annotations

import aiohttp
import pytest

from tests.gateway.conftest import Shop

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def raw(
    shop: Shop,
    method: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    url: str | None = None,
) -> tuple[int, str, dict | str, aiohttp.typedefs.LooseHeaders]:
    async with shop.session.request(
        method, url or shop.url, data=data, headers=headers, params=params
    ) as response:
        text = await response.text()
        content_type = response.headers.get("content-type", "")
        body: dict | str = text
        if "json" in content_type:
            body = await response.json(content_type=None)
        return response.status, content_type, body, response.headers


def codes(body: dict | str) -> list[str]:
    assert isinstance(body, dict), body
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_post_json_defaults_to_application_json(shop: Shop) -> None:
    status, ctype, body, _ = await raw(
        shop, "POST", b'{"query":"{ me { id } }"}', {"content-type": "application/json"}
    )
    assert status == 200
    assert ctype.startswith("application/json")
    assert body == {"data": {"me": {"id": "1"}}}


async def test_graphql_response_json_is_negotiated(shop: Shop) -> None:
    status, ctype, _, _ = await raw(
        shop,
        "POST",
        b'{"query":"{ me { id } }"}',
        {"content-type": "application/json", "accept": GRAPHQL_RESPONSE},
    )
    assert status == 200
    assert ctype.startswith(GRAPHQL_RESPONSE)


async def test_get_runs_queries(shop: Shop) -> None:
    status, _, body, _ = await raw(
        shop,
        "GET",
        params={
            "query": "query Q($id: ID!) { user(id: $id) { name } }",
            "variables": '{"id": "2"}',
            "operationName": "Q",
        },
    )
    assert status == 200
    assert body == {"data": {"user": {"name": "Alan Turing"}}}


async def test_get_refuses_mutations_with_405(shop: Shop) -> None:
    query = 'mutation { renameProduct(upc: "1", name: "Desk") { name inStock } }'
    shop.reset_counts()
    status, _, body, headers = await raw(shop, "GET", params={"query": query})
    assert status == 405
    assert headers["allow"] == "POST"
    assert codes(body) == ["METHOD_NOT_ALLOWED"]
    assert shop.counts() == {}
    status, body = await shop.post({"query": query})
    assert status == 200
    assert body == {"data": {"renameProduct": {"name": "Desk", "inStock": True}}}


@pytest.mark.parametrize(
    ("data", "headers", "status", "code"),
    [
        (b"{not json", {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (
            b'{"query":"{ me { id } }"}',
            {"content-type": "text/plain"},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (b'{"variables":{}}', {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b'[{"query":"{ me { id } }"}]', {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (
            b'{"query":"{ me { id } }","variables":"x"}',
            {"content-type": "application/json"},
            400,
            "BAD_REQUEST",
        ),
        (
            b'{"query":"{ me { id } }"}',
            {"content-type": "application/json", "accept": "text/csv"},
            406,
            "NOT_ACCEPTABLE",
        ),
    ],
    ids=[
        "malformed-json",
        "wrong-content-type",
        "missing-query",
        "batch-array",
        "bad-variables",
        "not-acceptable",
    ],
)
async def test_malformed_requests_get_http_errors(
    shop: Shop, data: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    got_status, ctype, body, _ = await raw(shop, "POST", data, headers)
    assert got_status == status
    assert ctype.startswith("application/json")
    assert codes(body) == [code]


@pytest.mark.parametrize(
    ("query", "extra", "code"),
    [
        ("{ me { id ", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ me { nope } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query A { me { id } } query B { me { id } }", {}, "INVALID_GRAPHQL"),
        ("query A { me { id } }", {"operationName": "Z"}, "INVALID_GRAPHQL"),
        (
            "query($id: ID!) { user(id: $id) { id } }",
            {"variables": {"id": {"a": 1}}},
            "BAD_USER_INPUT",
        ),
        ("query($id: ID!) { user(id: $id) { id } }", {}, "BAD_USER_INPUT"),
    ],
    ids=[
        "syntax",
        "unknown-field",
        "ambiguous-operation",
        "unknown-operation",
        "bad-variable",
        "missing-variable",
    ],
)
async def test_request_errors_follow_the_media_type(
    shop: Shop, query: str, extra: dict, code: str
) -> None:
    status, body = await shop.post({"query": query, **extra})
    assert status == 200
    assert codes(body) == [code]
    assert "data" not in body
    strict_status, strict_body = await shop.post(
        {"query": query, **extra}, headers={"accept": GRAPHQL_RESPONSE}
    )
    assert strict_status == 400
    assert codes(strict_body) == [code]


async def test_parse_error_has_a_location(shop: Shop) -> None:
    _, body = await shop.post({"query": "{ me { id "})
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 11}]


async def test_body_over_the_limit_is_413(shop: Shop) -> None:
    big = b'{"query":"{ me { id } }","variables":{"pad":"' + b"x" * 5000 + b'"}}'
    status, _, body, _ = await raw(shop, "POST", big, {"content-type": "application/json"})
    assert status == 413
    assert codes(body) == ["PAYLOAD_TOO_LARGE"]


async def test_other_methods_are_405(shop: Shop) -> None:
    status, _, body, headers = await raw(shop, "PUT", b"{}", {"content-type": "application/json"})
    assert status == 405
    assert headers["allow"] == "GET, POST"
    assert codes(body) == ["METHOD_NOT_ALLOWED"]


async def test_get_with_cookies_needs_a_preflight_header(shop: Shop) -> None:
    params = {"query": "{ me { id } }"}
    status, _, body, _ = await raw(shop, "GET", params=params, headers={"cookie": "session=1"})
    assert status == 400
    assert codes(body) == ["CSRF_PREVENTION"]
    status, _, body, _ = await raw(
        shop,
        "GET",
        params=params,
        headers={"cookie": "session=1", "apollo-require-preflight": "true"},
    )
    assert status == 200
    assert body == {"data": {"me": {"id": "1"}}}


async def test_health_ready_and_plan_endpoints(shop: Shop) -> None:
    base = shop.url.rsplit("/", 1)[0]
    status, _, body, _ = await raw(shop, "GET", url=base + "/health")
    assert (status, body) == (200, {"status": "ok"})
    status, _, body, _ = await raw(shop, "GET", url=base + "/ready")
    assert (status, body) == (200, {"status": "ready"})
    status, _, body, _ = await raw(
        shop,
        "POST",
        b'{"query":"{ topProducts { inStock } }"}',
        {"content-type": "application/json"},
        url=base + "/plan",
    )
    assert status == 200
    assert isinstance(body, dict)
    assert 'Fetch(service: "inventory")' in body["plan"]
    assert body["json"]["node"]["kind"] == "Sequence"
