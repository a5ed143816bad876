"""Command line: ``aggregator serve | plan | demo | ...``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import Any

from aggregator import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aggregator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"aggregator {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_demo(commands)
    _add_import_openapi(commands)
    return parser


def _add_demo(commands: Any) -> None:
    demo = commands.add_parser("demo", help="run four demo agencies and the gateway on one port")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=4000)
    demo.set_defaults(handler=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415 - keep `aggregator --help` fast

    from aggregator.demo.app import run_demo  # noqa: PLC0415

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
    tool.set_defaults(handler=_run_import_openapi)


def _run_import_openapi(args: argparse.Namespace) -> int:
    from aggregator.connectors.openapi import import_openapi_file  # noqa: PLC0415

    return import_openapi_file(args.spec, name=args.name, output=args.output)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    handler = getattr(args, "handler", None)
    return int(handler(args)) if handler is not None else 0
