"""Operation limits: counted after fragment expansion in one pass, each with its own code."""

from __future__ import annotations

import logging

import pytest
from graphql import parse

from aggregator.gateway import GatewayOptions
from aggregator.operation import DocumentPolicy
from aggregator.security.limits import OperationLimits, measure_document
from tests.security.hardening.conftest import ShopSubgraphs, serve_shop


def test_measures_count_through_fragments_once_per_definition() -> None:
    document = parse(
        """
        query Q { me @a @b { ...U id } a: me { ...U } ... on Query { b: users { name } } }
        fragment U on User { x: name reviews { author { id } } }
        """
    )
    measured = measure_document(document)
    assert measured.depth == 4  # me > reviews > author > id
    assert measured.root_fields == 3  # me, a, b (through the inline fragment)
    # me(1) + U(4) + id(1) + a(1) + U(4) + b(1) + name(1)
    assert measured.fields == 13
    assert measured.aliases == 4  # a, b, and x once per spread of U
    assert measured.directives_per_field == 2


def test_a_fragment_spread_twice_in_one_selection_set_counts_once() -> None:
    fragments = ["fragment U0 on User { id name }"] + [
        f"fragment U{i} on User {{ ...U{i - 1} ...U{i - 1} }}" for i in range(1, 40)
    ]
    document = parse("{ me { ...U39 } } " + " ".join(fragments))
    assert measure_document(document).fields == 3


def test_fragment_cycles_are_left_to_validation() -> None:
    document = parse("{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A id }")
    assert measure_document(document).fields == 2


SMALL = OperationLimits(
    max_depth=3,
    max_aliases=2,
    max_root_fields=2,
    max_fields=6,
    max_directives_per_field=1,
    max_tokens=60,
)


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        (
            "{ me { reviews { author { id } } } }",
            "MAX_DEPTH_LIMIT",
            "The operation is nested more than 3 levels deep.",
        ),
        (
            "{ me { a: id b: id c: id } }",
            "MAX_ALIASES_LIMIT",
            "The operation uses more than 2 aliases.",
        ),
        (
            "{ me { id } users { id } reviews { id } }",
            "MAX_ROOT_FIELDS_LIMIT",
            "The operation selects more than 2 root fields.",
        ),
        (
            "{ me { ...F } users { ...F } } fragment F on User { id name username }",
            "MAX_FIELDS_LIMIT",
            "The operation selects more than 6 fields after fragment expansion.",
        ),
        (
            "query($s: Boolean!) { me { id @skip(if: $s) @include(if: true) } }",
            "MAX_DIRECTIVES_LIMIT",
            "The operation puts more than 1 directives on one field.",
        ),
        (
            "query(" + " ".join(f"$v{i}: Int" for i in range(20)) + ") { me { id } }",
            "MAX_TOKENS_LIMIT",
            "Syntax Error: Document contains more than 60 tokens. Parsing aborted.",
        ),
    ],
    ids=["depth", "aliases", "root-fields", "fields", "directives", "tokens"],
)
async def test_each_limit_refuses_with_its_own_code_before_any_subgraph_call(
    shop_subgraphs: ShopSubgraphs, query: str, code: str, message: str
) -> None:
    options = GatewayOptions(documents=DocumentPolicy(limits=SMALL))
    async with serve_shop(shop_subgraphs, options) as served:
        shop_subgraphs.reset()
        status, body, _ = await served.post(
            {"query": query, "variables": {"s": False}},
            {"accept": "application/graphql-response+json"},
        )
    assert status == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert body["errors"][0]["message"] == message
    assert "data" not in body
    assert shop_subgraphs.counts() == {}


async def test_warn_only_serves_the_operation_and_logs_each_limit(
    shop_subgraphs: ShopSubgraphs, caplog: pytest.LogCaptureFixture
) -> None:
    limits = OperationLimits(max_aliases=1, max_root_fields=1, max_tokens=10, warn_only=True)
    options = GatewayOptions(documents=DocumentPolicy(limits=limits))
    async with serve_shop(shop_subgraphs, options) as served:
        with caplog.at_level(logging.WARNING, logger="aggregator.limits"):
            status, body, _ = await served.post({"query": "{ a: me { id } b: me { name } }"})
    assert status == 200
    assert body == {"data": {"a": {"id": "1"}, "b": {"name": "Ada Lovelace"}}}
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "uses more than 1 aliases. (measured 2)" in logged
    assert "selects more than 1 root fields. (measured 2)" in logged
    assert "more than 10 tokens" in logged


async def test_default_limits_let_the_shop_queries_through(shop_subgraphs: ShopSubgraphs) -> None:
    async with serve_shop(shop_subgraphs) as served:
        status, body, _ = await served.post(
            {"query": "{ topProducts { name inStock reviews { body author { name } } } }"}
        )
    assert status == 200
    assert "errors" not in body


def test_the_parser_stops_at_the_first_limit_a_definition_crosses() -> None:
    from aggregator.security.limits import LimitedParser, LimitExceeded

    limits = OperationLimits(max_root_fields=20)
    document = 'query { user(id: "1") { id } \n' * 1 + 'user(id: "1") { id }\n' * 5000 + "}"
    parser = LimitedParser(document, limits, no_location=True)
    with pytest.raises(LimitExceeded) as info:
        parser.parse_document()
    assert info.value.errors == [
        {
            "message": "The operation selects more than 20 root fields.",
            "extensions": {"code": "MAX_ROOT_FIELDS_LIMIT"},
        }
    ]
    assert parser._lexer.token.line == 21  # it read 21 lines of 5,000


def test_inline_fragments_do_not_count_as_depth_and_fragments_reset_the_counts() -> None:
    from aggregator.security.limits import LimitedParser

    limits = OperationLimits(max_depth=2, max_fields=4, max_root_fields=1)
    text = (
        "{ me { ... on User { ... on User { id } } } } "
        "fragment F on User { id name reviews { id } }"
    )
    document = LimitedParser(text, limits, no_location=True).parse_document()
    assert len(document.definitions) == 2
