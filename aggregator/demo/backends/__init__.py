"""Demo agency backends: plain aiohttp REST services (dmv, tax)."""

from aggregator.demo.backends.dmv import dmv_app
from aggregator.demo.backends.tax import tax_app

__all__ = ["dmv_app", "tax_app"]
