"""The four subgraphs of the federation gateway benchmark (accounts, inventory, products, reviews).

They run in one Python process and answer from a memo of full responses, so that
on a shared 2-core machine they are never the bottleneck of the gateway under test.
"""

from bench.subgraphs.schema import SUBGRAPH_NAMES, build_subgraph_schema

__all__ = ["SUBGRAPH_NAMES", "build_subgraph_schema"]
