"""Which GET requests count as a browser asking for the IDE."""

from __future__ import annotations

import pytest

from aggregator.server.graphiql import prefers_html


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("text/html", True),
        ("application/graphql-response+json, application/json", False),
        ("application/json, text/html;q=0.5", False),
        ("*/*", False),
        ("", False),
    ],
)
def test_prefers_html(accept: str, expected: bool) -> None:
    assert prefers_html(accept) is expected
