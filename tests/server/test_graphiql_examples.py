"""Example operations from files become the page's preloaded tabs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aggregator.server import ServerOptions
from aggregator.server.graphiql import GraphiQLOptions, examples_from_files, render_page
from aggregator.server.graphiql_routes import graphiql_options


def page_config(options: GraphiQLOptions) -> dict[str, object]:
    body, _ = render_page(options)
    match = re.search(
        rb'<script type="application/json" id="graphiql-config"[^>]*>(.*?)</script>', body
    )
    assert match is not None
    config: dict[str, object] = json.loads(match.group(1))
    return config


def test_titles_come_from_a_leading_comment_or_the_file_name(tmp_path: Path) -> None:
    first = tmp_path / "01-citizen.graphql"
    first.write_text("# Step 1: a citizen and their tax account\n\nquery Citizen { me { id } }\n")
    second = tmp_path / "02-vehicles.graphql"
    second.write_text("query Vehicles { vehicles { plate } }\n")
    examples = examples_from_files([first, second])
    assert examples == [
        ("Step 1: a citizen and their tax account", "query Citizen { me { id } }\n"),
        ("02-vehicles", "query Vehicles { vehicles { plate } }\n"),
    ]


def test_page_config_carries_examples_plan_endpoint_and_headers() -> None:
    options = GraphiQLOptions(
        endpoint="/api/graphql",
        plan_endpoint="/api/graphql/plan",
        example_operations=[("One", "{ a }")],
        default_headers='{"Authorization": "Bearer x"}',
    )
    assert page_config(options) == {
        "endpoint": "/api/graphql",
        "planEndpoint": "/api/graphql/plan",
        "examples": [["One", "{ a }"]],
        "defaultHeaders": '{"Authorization": "Bearer x"}',
    }


def test_plans_are_hidden_unless_the_server_exposes_them() -> None:
    assert page_config(GraphiQLOptions())["planEndpoint"] is None
    hidden = graphiql_options(ServerOptions(example_operations=[("One", "{ a }")]))
    assert page_config(hidden)["planEndpoint"] is None
    assert page_config(hidden)["examples"] == [["One", "{ a }"]]
    shown = graphiql_options(ServerOptions(expose_query_plans=True, graphql_path="/api"))
    assert page_config(shown)["planEndpoint"] == "/plan"
    assert page_config(shown)["endpoint"] == "/api"
