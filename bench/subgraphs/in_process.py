"""The benchmark subgraphs behind aggregator's in-process ``Subgraph`` protocol.

Micro-benchmarks use these so that they measure the gateway's own work without
sockets: each distinct request is executed once with graphql-core and its
answer replayed after that, decoded from JSON bytes each time (fresh objects
the gateway may merge into, at the JSON decode cost a real transport pays).
"""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLSchema, graphql_sync

from aggregator.transport import SubgraphRequest, SubgraphResponse
from bench.scenarios import DEFAULT_SCENARIO
from bench.subgraphs.schema import SUBGRAPH_NAMES, build_subgraph_schema


class InProcessBenchSubgraph:
    """One benchmark subgraph answering in-process; counts the fetches it gets."""

    def __init__(self, name: str, schema: GraphQLSchema | None = None) -> None:
        self.name = name
        self.schema = schema or build_subgraph_schema(name)
        self.fetches = 0
        self._memo: dict[bytes, bytes] = {}

    async def fetch(self, request: SubgraphRequest) -> SubgraphResponse:
        self.fetches += 1
        key = orjson.dumps(
            [request.query, request.variables, request.operation_name], option=orjson.OPT_SORT_KEYS
        )
        answer = self._memo.get(key)
        if answer is None:
            result = graphql_sync(
                self.schema,
                request.query,
                variable_values=request.variables,
                operation_name=request.operation_name,
            )
            errors = [dict(error.formatted) for error in result.errors or []]
            answer = orjson.dumps({"data": result.data, "errors": errors})
            self._memo[key] = answer
        decoded: dict[str, Any] = orjson.loads(answer)
        return SubgraphResponse(data=decoded["data"], errors=decoded["errors"])

    async def close(self) -> None:
        return None


def in_process_subgraphs(scenario: str = DEFAULT_SCENARIO) -> dict[str, InProcessBenchSubgraph]:
    return {
        name: InProcessBenchSubgraph(name, build_subgraph_schema(name, scenario))
        for name in SUBGRAPH_NAMES
    }
