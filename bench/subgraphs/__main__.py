"""``python -m bench.subgraphs``: serve the four benchmark subgraphs from one process.

Prints one JSON line ``{"accounts": "http://127.0.0.1:P/graphql", ...}`` once
every port listens, so the harness never races for ports; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import orjson

from bench.scenarios import DEFAULT_SCENARIO, SCENARIOS
from bench.subgraphs.http_server import SubgraphEndpoint, serve_endpoint
from bench.subgraphs.schema import SUBGRAPH_NAMES, build_subgraph_schema


async def _main(host: str, ports: dict[str, int], scenario_name: str) -> None:
    servers = []
    urls = {}
    for name in SUBGRAPH_NAMES:
        endpoint = SubgraphEndpoint(name, build_subgraph_schema(name, scenario_name))
        server = await serve_endpoint(endpoint, host, ports.get(name, 0))
        port = server.sockets[0].getsockname()[1]
        servers.append(server)
        urls[name] = f"http://{host}:{port}/graphql"
    sys.stdout.write(orjson.dumps(urls).decode() + "\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.subgraphs", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port",
        action="append",
        default=[],
        metavar="NAME=PORT",
        help="fixed port for one subgraph (default: a free port each)",
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default=DEFAULT_SCENARIO,
        help="data set (see bench/scenarios.py)",
    )
    args = parser.parse_args()
    ports = {}
    for item in args.port:
        name, _, port = item.partition("=")
        ports[name] = int(port)
    asyncio.run(_main(args.host, ports, args.scenario))


if __name__ == "__main__":
    main()
