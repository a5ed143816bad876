"""Command line: ``aggregator serve | plan | ...``."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aggregator import __version__
from aggregator.caching.commands import register_cache_commands
from aggregator.config.validate import register_validate_command
from aggregator.registry.commands import register_config_commands
from aggregator.security.audit.commands import register_audit_commands

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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:  # the same bound as server.port in aggregator.yaml
        raise argparse.ArgumentTypeError(f"must be 0..65535, got {value}")
    return value


def _add_drain_flags(parser: argparse.ArgumentParser) -> None:
    """SIGTERM handling (aggregator/server/graceful.py); ``serve --config`` defaults to the file."""
    parser.add_argument(
        "--shutdown-delay",
        type=_seconds,
        metavar="SECONDS",
        help="on SIGTERM, keep serving with /ready at 503 this long (default 0)",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="then wait this long at most for requests in flight (default 30)",
    )


def _drain(args: argparse.Namespace) -> Any:
    from aggregator.server.graceful import DrainSettings

    default = DrainSettings()
    return DrainSettings(
        timeout_s=default.timeout_s if args.shutdown_timeout is None else args.shutdown_timeout,
        delay_s=default.delay_s if args.shutdown_delay is None else args.shutdown_delay,
    )


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
        drain=_drain(args),
    )


def cmd_plan(args: argparse.Namespace) -> int:
    from aggregator.gateway import Gateway
    from aggregator.operation import RequestError
    from aggregator.supergraph import SupergraphError

    try:
        gateway = Gateway.from_supergraph_sdl(_read_text(args.supergraph))
        query = _read_text(args.operation) if args.operation != "-" else sys.stdin.read()
        variables = json.loads(args.variables) if args.variables else None
        if variables is not None and not isinstance(variables, dict):
            raise ValueError("--variables must be a JSON object, like '{\"id\": 1}'")
    except (OSError, SupergraphError, ValueError) as exc:  # JSONDecodeError is a ValueError
        if isinstance(exc, json.JSONDecodeError):
            exc = ValueError(f"--variables is not JSON: {exc}")
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.stages:
            _print_stages(gateway, query, args.operation_name, variables)
            return 0
        plan = gateway.plan(query, args.operation_name, variables)
    except RequestError as exc:
        for error in exc.errors:
            print(f"error: {error['message']}", file=sys.stderr)
        return 1
    print(json.dumps(plan.to_json(), indent=2) if args.json else plan)
    return 0


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise OSError(f"cannot read {path}: {exc.strerror or exc}") from None


def _print_stages(
    gateway: Any, query: str, operation_name: str | None, variables: dict[str, Any] | None
) -> None:
    """Each planner stage's output for one operation (a development aid)."""
    from aggregator.operation import RequestError
    from aggregator.planning import PlanningError, plan_stages

    prepared = gateway.prepare(query, operation_name, variables)
    info = prepared.info
    conditions = {name: prepared.variables.get(name) is True for name in info.conditions}
    try:
        stages = plan_stages(gateway.supergraph.model, info.document, info.operation, conditions)
    except PlanningError as exc:
        raise RequestError([{"message": str(exc)}]) from exc
    for name, text in stages:
        print(f"== {name}\n{text}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aggregator", description="GraphQL federation gateway")
    parser.add_argument("--version", action="version", version=f"aggregator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve a supergraph over HTTP")
    serve.add_argument("--supergraph", help="supergraph SDL file (from rover, Hive or `compose`)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=4000)
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
    serve.add_argument("--log-format", choices=("text", "json"), help="log lines as text or JSON")
    _add_drain_flags(serve)
    serve.set_defaults(func=cmd_serve)

    plan = sub.add_parser("plan", help="print the query plan of an operation")
    plan.add_argument("--supergraph", required=True)
    plan.add_argument("operation", help="file holding the operation, or - for stdin")
    plan.add_argument("--operation-name")
    plan.add_argument("--variables", help="JSON object (decides @skip/@include)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument(
        "--stages", action="store_true", help="print every planner stage's output, in order"
    )
    plan.set_defaults(func=cmd_plan)

    _add_demo(sub)
    _add_token(sub)
    _add_import_openapi(sub)
    register_config_commands(sub)
    register_audit_commands(sub)
    register_validate_command(sub)
    register_cache_commands(sub)
    return parser


def _add_demo(commands: Any) -> None:
    demo = commands.add_parser("demo", help="run four demo agencies and the gateway on one port")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=_port, default=4000)
    demo.add_argument("--log-format", choices=("text", "json"), help="log lines as text or JSON")
    demo.add_argument(
        "--disclosure-log",
        metavar="FILE",
        help="record every release of protected data in this hash-chained file",
    )
    _add_drain_flags(demo)
    demo.set_defaults(func=_run_demo)

    agency = commands.add_parser(
        "demo-agency", help="run one demo agency (dmv, tax or health) as its own service"
    )
    agency.add_argument("name", choices=("dmv", "tax", "health"))
    agency.add_argument("--host", default="127.0.0.1")
    agency.add_argument("--port", type=_port, help="default: dmv 4001, tax 4002, health 4003")
    agency.set_defaults(func=_run_demo_agency)


def _run_demo(args: argparse.Namespace) -> int:
    import asyncio

    from aggregator.demo.app import run_demo
    from aggregator.server.graceful import ListenError, listen_socket

    try:  # a port in use is one line, before any agency starts
        listen_socket(args.host, args.port).close()
    except ListenError as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2
    disclosure_log = Path(args.disclosure_log).resolve() if args.disclosure_log else None
    if disclosure_log is not None:
        from aggregator.security.audit import DisclosureLogError, probe_log_path

        try:  # fail closed before any agency starts
            probe_log_path(disclosure_log, workers=1)
        except DisclosureLogError as exc:
            print(f"aggregator: error: {exc}", file=sys.stderr)
            return 2
    from aggregator.config.observability import ObservabilityConfig
    from aggregator.server.stack import prepare_process

    prepare_process(ObservabilityConfig())  # text logs unless --log-format/the environment say
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_demo(args.host, args.port, disclosure_log, _drain(args)))
    except ListenError as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _run_demo_agency(args: argparse.Namespace) -> int:
    import asyncio

    from aggregator.demo.standalone import DEFAULT_PORTS, run_agency
    from aggregator.server.graceful import ListenError

    port = DEFAULT_PORTS[args.name] if args.port is None else args.port
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_agency(args.name, args.host, port))
    except ListenError as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _add_token(commands: Any) -> None:
    from aggregator.demo.auth import add_token_command

    add_token_command(commands)


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
    if getattr(args, "log_format", None):  # read by every process the command starts
        os.environ["AGGREGATOR_LOG_FORMAT"] = args.log_format
    result: int = args.func(args)
    return result
