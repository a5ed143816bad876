"""``aggregator audit verify FILE...``: is the disclosure log's chain intact?

Exit status: 0 intact (one summary line, with the head to anchor), 1 the chain
is broken (the first bad line and why), 2 the input could not be checked (a
missing or unreadable file, or something that is not a disclosure log). Never a
traceback: an operator may be running this on a file an attacker shaped.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

__all__ = ["register_audit_commands"]

EXIT_INTACT = 0
EXIT_BROKEN = 1
EXIT_UNUSABLE = 2

_HASH = re.compile(r"^[0-9a-f]{64}$")


def register_audit_commands(subparsers: Any) -> None:
    """Add ``audit`` (with ``verify``) to the top-level command parser."""
    audit = subparsers.add_parser("audit", help="check the disclosure log")
    audit.set_defaults(func=lambda _args: _usage(audit))
    commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND")
    verify = commands.add_parser(
        "verify", help="check a disclosure log's hash chain (several files: rotation order)"
    )
    verify.add_argument("files", nargs="+", type=Path, metavar="FILE")
    verify.add_argument(
        "--expect-last",
        type=_hash,
        metavar="HASH",
        help="the hash the last line must have (e.g. from the SIEM)",
    )
    verify.add_argument(
        "--expect-count", type=_count, metavar="N", help="the sequence number of the last record"
    )
    verify.add_argument(
        "--anchor",
        action="append",
        type=_anchor,
        default=[],
        metavar="SEQ:HASH",
        help="a head the log reported earlier (logger aggregator.audit); repeatable",
    )
    verify.set_defaults(func=verify_command)


def verify_command(args: argparse.Namespace) -> int:
    from aggregator.security.audit.verify import Anchors, Intact, LogUnreadable, verify_logs

    anchors = Anchors(
        expect_last=args.expect_last, expect_count=args.expect_count, points=dict(args.anchor)
    )
    try:
        result = verify_logs(args.files, anchors)
    except LogUnreadable as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(result.summary())
    return EXIT_INTACT if isinstance(result, Intact) else EXIT_BROKEN


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_UNUSABLE


def _hash(text: str) -> str:
    value = text.strip().lower()
    if not _HASH.match(value):
        raise argparse.ArgumentTypeError(f"expected 64 hex digits, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def _anchor(text: str) -> tuple[int, str]:
    seq, sep, digest = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected SEQ:HASH, got {text!r}")
    return _count(seq), _hash(digest)
