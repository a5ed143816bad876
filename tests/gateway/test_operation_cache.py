"""After the first request of an operation, no parsing, validation or planning happens."""

from __future__ import annotations

from typing import Any

import pytest

import aggregator.gateway as gateway_module
import aggregator.operation as operation_module
from tests.gateway.conftest import Shop


def _count(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls = [0]
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


async def test_repeated_operation_is_parsed_validated_and_planned_once(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = _count(monkeypatch, operation_module, "parse_document")
    validations = _count(monkeypatch, operation_module, "validate_document")
    plans = _count(monkeypatch, gateway_module, "plan_normalized")
    query = "query Cached($n: Int) { topProducts(first: $n) { name inStock } }"
    for n in (1, 2, 3, 1):
        status, body = await shop.post({"query": query, "variables": {"n": n}})
        assert status == 200
        assert len(body["data"]["topProducts"]) == n
    assert (parses[0], validations[0], plans[0]) == (1, 1, 1)


async def test_skip_include_values_get_their_own_cached_plan(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = _count(monkeypatch, gateway_module, "plan_normalized")
    query = "query S($s: Boolean!) { topProducts(first: 1) { name inStock @skip(if: $s) } }"
    for skip in (True, False, True, False):
        _, body = await shop.post({"query": query, "variables": {"s": skip}})
        expected = {"name": "Table"} if skip else {"name": "Table", "inStock": True}
        assert body["data"]["topProducts"] == [expected]
    assert plans[0] == 2
