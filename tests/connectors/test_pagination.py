"""Relay connections over offset, page-number and next-token backends (1,000 records)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from aggregator.connectors import CursorCodec
from tests.connectors.conftest import Harness

PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  FIELD(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def _page(harness: Harness, field: str, **variables: Any) -> dict[str, Any]:
    out = await harness.run(PAGE.replace("FIELD", field), variables)
    assert "errors" not in out, out.get("errors")
    return out["data"][field]  # type: ignore[no-any-return]


async def _walk_forwards(harness: Harness, field: str, size: int) -> list[int]:
    seen: list[int] = []
    after = None
    for _ in range(100):
        page = await _page(harness, field, first=size, after=after)
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return seen


@pytest.mark.parametrize(("field", "size"), [("records", 100), ("paged", 70), ("tokened", 64)])
async def test_forwards_over_1000_records(harness: Harness, field: str, size: int) -> None:
    assert await _walk_forwards(harness, field, size) == list(range(1000))


@pytest.mark.parametrize(("field", "size"), [("records", 100), ("paged", 45)])
async def test_backwards_over_1000_records(harness: Harness, field: str, size: int) -> None:
    seen: list[int] = []
    before = None
    for _ in range(100):
        page = await _page(harness, field, last=size, before=before)
        assert page["totalCount"] == 1000
        seen[:0] = [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == list(range(1000))


async def test_offset_backend_calls_are_one_per_page(harness: Harness) -> None:
    await _walk_forwards(harness, "records", 100)
    assert harness.stats.calls["GET /records"] == 10
    assert harness.stats.requests[-1][2] == {"offset": "900", "limit": "101"}


async def test_cursor_of_a_middle_item_resumes_after_it(harness: Harness) -> None:
    page = await _page(harness, "records", first=10)
    middle = page["edges"][4]["cursor"]
    following = await _page(harness, "records", first=3, after=middle)
    assert [e["node"]["id"] for e in following["edges"]] == [5, 6, 7]
    preceding = await _page(harness, "records", last=3, before=middle)
    assert [e["node"]["id"] for e in preceding["edges"]] == [1, 2, 3]


def _tamper(cursor: str) -> str:
    body, mac = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["p"] = 500
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + mac


async def _error(harness: Harness, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    out = await harness.run(query, variables)
    assert out["errors"], out
    return out["errors"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "bad",
    ["not-a-cursor", "eyJiIjoiIiwicCI6MX0.AAAA", "....", ""],
)
async def test_forged_cursor_is_rejected(harness: Harness, bad: str) -> None:
    error = await _error(harness, PAGE.replace("FIELD", "records"), {"first": 5, "after": bad})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["records"]


async def test_tampered_cursor_is_rejected(harness: Harness) -> None:
    page = await _page(harness, "records", first=5)
    tampered = _tamper(page["pageInfo"]["endCursor"])
    error = await _error(harness, PAGE.replace("FIELD", "records"), {"first": 5, "after": tampered})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert harness.stats.calls["GET /records"] == 1  # the forged request never reached the backend


async def test_cursor_replayed_into_another_field_is_rejected(harness: Harness) -> None:
    page = await _page(harness, "records", first=5)
    cursor = page["pageInfo"]["endCursor"]
    error = await _error(harness, PAGE.replace("FIELD", "paged"), {"first": 5, "after": cursor})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "another field" in error["message"]


async def test_cursor_replayed_onto_another_parent_is_rejected(harness: Harness) -> None:
    query = """query($id: ID!, $after: String) { person(id: $id) {
      records(first: 2, after: $after) { edges { cursor node { id } } } } }"""
    out = await harness.run(query, {"id": "1"})
    cursor = out["data"]["person"]["records"]["edges"][-1]["cursor"]
    same = await harness.run(query, {"id": "1", "after": cursor})
    assert [e["node"]["id"] for e in same["data"]["person"]["records"]["edges"]] == [2, 3]
    error = await _error(harness, query, {"id": "2", "after": cursor})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["person", "records"]


async def test_cursor_signed_with_another_key_is_rejected(harness: Harness) -> None:
    other = CursorCodec(b"another-key-another-key-another!")
    page = await _page(harness, "records", first=1)
    body = page["pageInfo"]["endCursor"].split(".")[0]
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = other.encode(payload["b"], 10)
    error = await _error(harness, PAGE.replace("FIELD", "records"), {"first": 5, "after": forged})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "at most 100"),
        ({"last": 500}, "at most 100"),
        ({"first": -1}, "must not be negative"),
        ({"first": 1, "last": 1}, "not both"),
    ],
)
async def test_page_size_limits(harness: Harness, variables: dict[str, Any], message: str) -> None:
    error = await _error(harness, PAGE.replace("FIELD", "records"), variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_token_backend_refuses_backwards(harness: Harness) -> None:
    error = await _error(harness, PAGE.replace("FIELD", "tokened"), {"last": 5})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_default_page_size_and_nodes(harness: Harness) -> None:
    out = await harness.run("{ records { nodes { id } pageInfo { hasNextPage } } }")
    assert [n["id"] for n in out["data"]["records"]["nodes"]] == list(range(20))
    assert out["data"]["records"]["pageInfo"]["hasNextPage"] is True
