"""``supergraph_file`` with ``subgraphs``: serving a supergraph composed elsewhere.

A supergraph composed and checked in CI names its subgraphs but cannot say
how to run the in-process ones (``inprocess://identity``), and its URLs are
the ones CI saw. The ``subgraphs`` entries of such a config only say how to
reach each subgraph in this deployment: ``url`` overrides the supergraph's
URL, ``python`` and ``connector`` run the agency in the gateway process.
Keys about where an SDL comes from mean nothing here (the schema is the
supergraph's), so they are refused rather than silently ignored.
"""

from __future__ import annotations

import yaml

from aggregator.config.nodes import Fields, NodeReader

__all__ = ["check_served_subgraphs"]

_COMPOSE_ONLY = ("sdl_source", "sdl_file", "optional")


def check_served_subgraphs(reader: NodeReader, top: Fields) -> None:
    """Raise a ConfigError for settings that only matter when composing."""
    if "poll_interval_s" in top:
        raise reader.error(
            top["poll_interval_s"][0],
            "poll_interval_s",
            "not used with supergraph_file (the gateway serves the file and reloads it when "
            "it changes; it never asks subgraphs for their SDL)",
        )
    if "subgraphs" not in top:
        return
    items = top["subgraphs"][1]
    assert isinstance(items, yaml.SequenceNode)
    for index, item in enumerate(items.value):
        if not isinstance(item, yaml.MappingNode):
            continue
        for key_node, _ in item.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in _COMPOSE_ONLY:
                raise reader.error(
                    key_node,
                    f"subgraphs[{index}].{key_node.value}",
                    "not used with supergraph_file (the supergraph already holds every "
                    "subgraph's schema; entries here only say how to reach each subgraph)",
                )
