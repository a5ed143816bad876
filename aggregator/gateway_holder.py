"""The gateway currently serving, behind one reference that hot reload swaps.

The HTTP server reads ``holder.current`` once per request; the registry's reloader
swaps in a newly built gateway (``registry.DrainingGatewayHolder`` also knows when a
replaced one is idle). Both layers use this module, so neither imports the other's
internals.
"""

from __future__ import annotations

from aggregator.gateway import Gateway

__all__ = ["GatewayHolder"]


class GatewayHolder:
    """The gateway currently serving; hot reload replaces it atomically."""

    def __init__(self, gateway: Gateway | None = None) -> None:
        self.current = gateway

    def swap(self, gateway: Gateway) -> Gateway | None:
        previous, self.current = self.current, gateway
        return previous
