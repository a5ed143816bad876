"""``mode:``: production (the default) or development, and what each one turns on.

Production is what a gateway facing the internet needs: no introspection, no "Did
you mean" suggestions (both reveal the schema), GraphiQL off, automatic persisted
queries off (trusted documents are the production way to ship operations), and
subgraph errors redacted (see ``aggregator/transport/redaction.py``). Development turns
the conveniences back on. Any key set explicitly in ``server:`` or for a subgraph
wins over the mode.
"""

from __future__ import annotations

from enum import StrEnum

import yaml

from aggregator.config.nodes import NodeReader

__all__ = ["Mode", "read_mode"]


class Mode(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"

    @property
    def conveniences(self) -> bool:
        """GraphiQL, introspection, suggestions, APQ, subgraph errors passed through."""
        return self is Mode.DEVELOPMENT


def read_mode(reader: NodeReader, node: yaml.Node) -> Mode:
    text = reader.string(node, "mode")
    try:
        return Mode(text)
    except ValueError:
        raise reader.error(
            node, "mode", f"must be production or development, got '{text}'"
        ) from None
