"""aggregator: a GraphQL federation gateway for multi-agency government services."""

__version__ = "0.1.0"
__all__ = ["__version__"]
