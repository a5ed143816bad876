"""Command line: ``aggregator serve | plan | demo | ...``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aggregator import __version__
from aggregator.registry.commands import register_config_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aggregator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"aggregator {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_config_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    func = getattr(args, "func", None)
    if func is not None:
        return int(func(args))
    return 0
