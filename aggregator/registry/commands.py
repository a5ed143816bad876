"""``aggregator compose`` and ``aggregator check``: thin wrappers over registry and schema_check.

Kept out of cli.py so the command line stays a list of registrations; exit
codes are for CI: 0 fine, 1 breaking changes found, 2 the input was unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from graphql import GraphQLError

from aggregator.config import ConfigError, load_config
from aggregator.registry.build import build_supergraph
from aggregator.registry.errors import RegistryError
from aggregator.schema_check import check_sdl, format_table, to_json

EXIT_OK = 0
EXIT_BREAKING = 1
EXIT_ERROR = 2


def register_config_commands(subparsers: Any) -> None:
    """Add ``compose`` and ``check``, and ``--config`` to ``serve`` (each sets ``func``)."""
    serve = subparsers.choices.get("serve")
    if serve is not None:
        _add_serve_config(serve)
    compose = subparsers.add_parser(
        "compose", help="fetch subgraph SDLs from the config and write the supergraph"
    )
    compose.add_argument("--config", required=True, type=Path, help="aggregator.yaml")
    compose.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    compose.set_defaults(func=compose_command)

    check = subparsers.add_parser(
        "check", help="report changes that break clients, compared with a previous supergraph"
    )
    new = check.add_mutually_exclusive_group(required=True)
    new.add_argument("--config", type=Path, help="compose the new supergraph from this config")
    new.add_argument("--supergraph", type=Path, help="the new supergraph file")
    check.add_argument(
        "--against",
        required=True,
        type=Path,
        help="the previous supergraph (what clients use today)",
    )
    check.add_argument(
        "--operations",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="client operations (.graphql) that must keep validating; the "
        "config's example_operations are always checked",
    )
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.add_argument("--show-safe", action="store_true", help="list safe changes too")
    check.set_defaults(func=check_command)


def _add_serve_config(serve: argparse.ArgumentParser) -> None:
    """``serve --config FILE``: compose at start-up, serve, hot-reload on changes."""
    serve_supergraph = serve.get_default("func")
    defaults = {"host": serve.get_default("host"), "port": serve.get_default("port")}
    serve.add_argument(
        "--config", type=Path, help="aggregator.yaml: compose at start-up and hot-reload on changes"
    )

    def serve_command(args: argparse.Namespace) -> int:
        if getattr(args, "config", None) is None:
            return int(serve_supergraph(args))
        if getattr(args, "supergraph", None):
            return _fail("give either --config or --supergraph, not both")
        if getattr(args, "subgraph_url", None):
            return _fail("with --config, subgraph URLs come from the config file")
        from aggregator.registry.serve_config import serve_config

        # --host/--port override the config only when given on the command line
        host = args.host if args.host != defaults["host"] else None
        port = args.port if args.port != defaults["port"] else None
        return serve_config(
            args.config,
            host=host,
            port=port,
            workers=getattr(args, "workers", 1),
            graphiql=False if getattr(args, "production", False) else None,
            expose_query_plans=True if getattr(args, "expose_query_plans", False) else None,
            shutdown_timeout_s=getattr(args, "shutdown_timeout", None),
            shutdown_delay_s=getattr(args, "shutdown_delay", None),
        )

    serve.set_defaults(func=serve_command)


def compose_command(args: argparse.Namespace) -> int:
    try:
        sdl = asyncio.run(build_supergraph(load_config(args.config)))
    except (ConfigError, RegistryError) as exc:
        return _fail(exc)
    if args.output is None:
        sys.stdout.write(sdl)
    else:
        args.output.write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def check_command(args: argparse.Namespace) -> int:
    try:
        old_sdl = _read(args.against)
        operations = [(str(path), _read(path)) for path in args.operations]
        if args.config is not None:
            config = load_config(args.config)
            operations += [(e.title, e.query) for e in config.example_operations]
            new_sdl = asyncio.run(build_supergraph(config))
        else:
            new_sdl = _read(args.supergraph)
        result = check_sdl(old_sdl, new_sdl, operations)
    except (ConfigError, RegistryError, OSError) as exc:
        return _fail(exc)
    except GraphQLError as exc:
        return _fail(f"a supergraph does not parse: {exc}")
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(result), indent=2) + "\n")
    else:
        sys.stdout.write(format_table(result, show_safe=args.show_safe))
    return EXIT_OK if result.ok else EXIT_BREAKING


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OSError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _fail(error: object) -> int:
    print(f"aggregator: error: {error}", file=sys.stderr)
    return EXIT_ERROR
