"""Operations built to exhaust the gateway are refused quickly with a GraphQL error."""

from __future__ import annotations

from tests.gateway.conftest import Shop


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_fragments_doubling_other_fragments_are_planned_once(shop: Shop) -> None:
    # 2^30 spreads of the same fields: must collapse, not explode
    depth = 30
    fragments = ["fragment U0 on User { id name }"] + [
        f"fragment U{i} on User {{ ...U{i - 1} ...U{i - 1} }}" for i in range(1, depth)
    ]
    query = f"{{ me {{ ...U{depth - 1} }} }} " + " ".join(fragments)
    shop.reset_counts()
    status, body = await shop.post({"query": query})
    assert status == 200
    assert body == {"data": {"me": {"id": "1", "name": "Ada Lovelace"}}}


async def test_fragments_multiplying_distinct_paths_are_refused(shop: Shop) -> None:
    # each level doubles the distinct response paths: 2^25 fields from ~30 lines
    levels = 25
    fragments = ["fragment R0 on Review { body }"] + [
        f"fragment R{i} on Review {{ a: author {{ reviews {{ ...R{i - 1} }} }} "
        f"b: author {{ reviews {{ ...R{i - 1} }} }} }}"
        for i in range(1, levels)
    ]
    query = f"{{ reviews {{ ...R{levels - 1} }} }} " + " ".join(fragments)
    shop.reset_counts()
    status, body = await shop.post({"query": query})
    assert status == 200
    # counted after fragment expansion, in one pass before validation
    assert codes(body) == ["MAX_ALIASES_LIMIT", "MAX_FIELDS_LIMIT"]
    assert body["errors"][1]["message"] == (
        "The operation selects more than 1000 fields after fragment expansion."
    )
    assert shop.counts() == {}


async def test_deep_nesting_through_fragments_is_refused(shop: Shop) -> None:
    levels = 120
    fragments = ["fragment D0 on User { id }"] + [
        f"fragment D{i} on User {{ reviews {{ author {{ ...D{i - 1} }} }} }}"
        for i in range(1, levels)
    ]
    query = f"{{ me {{ ...D{levels - 1} }} }} " + " ".join(fragments)
    body = await shop.gateway.execute(query)
    assert codes(body) == ["MAX_DEPTH_LIMIT"]
    assert body["errors"][0]["message"] == ("The operation is nested more than 100 levels deep.")
    assert "data" not in body


async def test_lexically_deep_documents_stop_parsing_at_the_depth_limit(shop: Shop) -> None:
    query = "{" + "me{" * 3000 + "id" + "}" * 3001
    body = await shop.gateway.execute(query)
    assert codes(body) == ["MAX_DEPTH_LIMIT"]


async def test_too_many_tokens_is_refused_while_parsing(shop: Shop) -> None:
    query = "query(" + " ".join(f"$v{i}: Int" for i in range(4000)) + ") { me { id } }"
    body = await shop.gateway.execute(query)
    assert codes(body) == ["MAX_TOKENS_LIMIT"]
    assert "tokens" in body["errors"][0]["message"]
