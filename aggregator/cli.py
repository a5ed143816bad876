"""Command line: ``aggregator serve | plan | ...``."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aggregator import __version__
from aggregator.registry.commands import register_config_commands

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def _subgraph_urls(pairs: Sequence[str]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not name or not url:
            raise SystemExit(f"--subgraph-url expects NAME=URL, got {pair!r}")
        urls[name] = url
    return urls


def cmd_serve(args: argparse.Namespace) -> int:
    from aggregator.server.run import serve_supergraph

    if not args.supergraph:
        print("serve needs --supergraph FILE (or --config FILE)", file=sys.stderr)
        return 2
    return serve_supergraph(
        Path(args.supergraph),
        host=args.host,
        port=args.port,
        workers=args.workers,
        subgraph_urls=_subgraph_urls(args.subgraph_url or ()),
        expose_query_plans=args.expose_query_plans,
        graphiql=False if args.production else None,
        mode="development" if args.dev else "production",
        subgraph_timeout_s=args.subgraph_timeout,
    )


def cmd_plan(args: argparse.Namespace) -> int:
    from aggregator.gateway import Gateway
    from aggregator.operation import RequestError
    from aggregator.supergraph import SupergraphError

    try:
        gateway = Gateway.from_supergraph_sdl(Path(args.supergraph).read_text())
    except (OSError, SupergraphError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    query = Path(args.operation).read_text() if args.operation != "-" else sys.stdin.read()
    variables = json.loads(args.variables) if args.variables else None
    try:
        plan = gateway.plan(query, args.operation_name, variables)
    except RequestError as exc:
        for error in exc.errors:
            print(f"error: {error['message']}", file=sys.stderr)
        return 1
    print(json.dumps(plan.to_json(), indent=2) if args.json else plan)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aggregator", description="GraphQL federation gateway")
    parser.add_argument("--version", action="version", version=f"aggregator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve a supergraph over HTTP")
    serve.add_argument("--supergraph", help="supergraph SDL file (from rover, Hive or `compose`)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4000)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument(
        "--subgraph-url", action="append", metavar="NAME=URL", help="override a subgraph URL"
    )
    serve.add_argument("--expose-query-plans", action="store_true", help="enable POST /plan")
    serve.add_argument(
        "--production", action="store_true", help="production mode (the default; GraphiQL off)"
    )
    serve.add_argument(
        "--dev",
        action="store_true",
        help="development conveniences: GraphiQL, introspection, suggestions, APQ, "
        "subgraph errors passed through",
    )
    serve.add_argument(
        "--subgraph-timeout", type=float, metavar="SECONDS", help="per subgraph request (30)"
    )
    serve.set_defaults(func=cmd_serve)

    plan = sub.add_parser("plan", help="print the query plan of an operation")
    plan.add_argument("--supergraph", required=True)
    plan.add_argument("operation", help="file holding the operation, or - for stdin")
    plan.add_argument("--operation-name")
    plan.add_argument("--variables", help="JSON object (decides @skip/@include)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.set_defaults(func=cmd_plan)

    _add_demo(sub)
    _add_import_openapi(sub)
    register_config_commands(sub)
    return parser


def _add_demo(commands: Any) -> None:
    demo = commands.add_parser("demo", help="run four demo agencies and the gateway on one port")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=4000)
    demo.set_defaults(func=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    import asyncio

    from aggregator.demo.app import run_demo

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_demo(args.host, args.port))
    return 0


def _add_import_openapi(commands: Any) -> None:
    tool = commands.add_parser(
        "import-openapi", help="turn an OpenAPI 3 document into connector SDL"
    )
    tool.add_argument("spec", help="OpenAPI 3 document (YAML or JSON)")
    tool.add_argument("--name", required=True, help="agency / source name")
    tool.add_argument("--output", "-o", help="write the SDL here instead of stdout")
    tool.set_defaults(func=_run_import_openapi)


def _run_import_openapi(args: argparse.Namespace) -> int:
    from aggregator.connectors.openapi import import_openapi_file

    return import_openapi_file(args.spec, name=args.name, output=args.output)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    result: int = args.func(args)
    return result
