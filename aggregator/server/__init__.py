"""HTTP side of the gateway: the ASGI app, GraphiQL, health and readiness."""

from aggregator.server.graphiql import (
    ASSET_PREFIX,
    GraphiQLAssetsMissing,
    GraphiQLOptions,
    content_security_policy,
    disabled_notice,
    examples_from_files,
    prefers_html,
    render_page,
    static_asset,
)
from aggregator.server.graphiql_plan import plan_response

__all__ = [
    "ASSET_PREFIX",
    "GraphiQLAssetsMissing",
    "GraphiQLOptions",
    "content_security_policy",
    "disabled_notice",
    "examples_from_files",
    "plan_response",
    "prefers_html",
    "render_page",
    "static_asset",
]
