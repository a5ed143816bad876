"""``bench/record``: re-record a scenario's expected answer from Apollo Gateway.

Starts the benchmark subgraphs with the scenario's data, asks Apollo Gateway
(the reference) the benchmark query, checks that Hive Gateway gives the same
data, and writes the answer (indented, keys in the reference's order) to the
scenario's ``expected-response*.json``. Run it after changing the subgraph SDL,
data or resolvers; ``bench/run`` then accepts only that answer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import orjson

from bench.expected import canonical_checksum, request_body
from bench.gateways import GatewaySpec
from bench.load import post
from bench.processes import ManagedProcess, ProcessFailed, free_port
from bench.scenarios import DEFAULT_SCENARIO, SCENARIOS, scenario
from bench.subgraph_process import SubgraphProcess


def _answer(
    spec: GatewaySpec, workdir: Path, subgraphs: SubgraphProcess, supergraph: Path
) -> bytes:
    port = free_port()
    process = ManagedProcess(
        spec.kind,
        spec.argv(supergraph, port, subgraphs.urls),
        workdir / f"{spec.kind}.log",
        cwd=spec.cwd,
        env=spec.env_for(supergraph, subgraphs.urls),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        process.wait_http(base + spec.ready_path)
        status, body = post(base + spec.graphql_path, request_body())
    finally:
        process.stop()
    if status != 200:
        raise ProcessFailed(f"{spec.label} answered HTTP {status}: {body[:300]!r}")
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/record", description=__doc__)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default=DEFAULT_SCENARIO)
    args = parser.parse_args(argv)
    target = scenario(args.scenario).expected_file
    workdir = Path(tempfile.mkdtemp(prefix="record-"))
    subgraphs = SubgraphProcess(workdir / "subgraphs.log", args.scenario)
    try:
        supergraph = subgraphs.write_supergraph(workdir / "supergraph.graphql")
        apollo = orjson.loads(_answer(GatewaySpec("apollo"), workdir, subgraphs, supergraph))
        hive = orjson.loads(_answer(GatewaySpec("hive"), workdir, subgraphs, supergraph))
    except ProcessFailed as error:
        print(f"bench/record: {error}", file=sys.stderr)
        return 1
    finally:
        subgraphs.stop()
    if "errors" in apollo:
        print(f"bench/record: Apollo Gateway answered errors: {apollo['errors']}", file=sys.stderr)
        return 1
    if canonical_checksum(apollo) != canonical_checksum(hive):
        print("bench/record: Hive Gateway's answer differs from Apollo Gateway's", file=sys.stderr)
        return 1
    target.write_bytes(orjson.dumps(apollo, option=orjson.OPT_INDENT_2) + b"\n")
    compact = len(orjson.dumps(apollo))
    print(f"wrote {target.name}: {compact:,} bytes compact, {_leaves(apollo):,} leaf values")
    return 0


def _leaves(value: object) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 1


if __name__ == "__main__":
    sys.exit(main())
