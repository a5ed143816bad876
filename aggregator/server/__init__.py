"""HTTP server: the ASGI app and how it is run."""

from aggregator.server.app import GatewayApp, GatewayHolder, ServerOptions, create_app

__all__ = ["GatewayApp", "GatewayHolder", "ServerOptions", "create_app"]
