"""HTTP server: the ASGI app, how it is run, and the GraphiQL page it serves."""

from aggregator.server.app import GatewayApp, GatewayHolder, ServerOptions, create_app
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
    "GatewayApp",
    "GatewayHolder",
    "GraphiQLAssetsMissing",
    "GraphiQLOptions",
    "ServerOptions",
    "content_security_policy",
    "create_app",
    "disabled_notice",
    "examples_from_files",
    "plan_response",
    "prefers_html",
    "render_page",
    "static_asset",
]
