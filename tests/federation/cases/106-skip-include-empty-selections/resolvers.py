"""The shop graph shared by cases 25-32 (tests/federation/shop_resolvers.py)."""

from tests.federation.shop_resolvers import build

__all__ = ["build"]
