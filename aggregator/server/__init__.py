"""HTTP side of the gateway: the ASGI app, GraphiQL, health and readiness."""

from aggregator.server.graphiql import (
    ASSET_PREFIX,
    GraphiQLAssetsMissing,
    GraphiQLOptions,
    content_security_policy,
    disabled_notice,
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
    "plan_response",
    "prefers_html",
    "render_page",
    "static_asset",
]
