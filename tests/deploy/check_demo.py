"""Check a running demo gateway from outside: for the wheel and container tests.

    python -m tests.deploy.check_demo http://127.0.0.1:PORT [--timeout SECONDS]

Waits until ``/ready`` answers 200, sends the README's example query (four
agencies in one request) and compares the answer with the one recorded from
Apollo Gateway (tests/demo/golden). Exit status 0 when they agree. Standard
library only on the client side, so it runs against a gateway installed
anywhere (a clean virtualenv, a container).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.demo.walkthrough import QUERIES, comparable

GOLDEN = Path(__file__).resolve().parents[1] / "demo" / "golden" / "citizen_overview.json"


def wait_until_ready(base: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise SystemExit(f"check_demo: {base}/ready not ready after {timeout_s:g} s ({last})")


def demo_answer(base: str) -> Any:
    query, variables = QUERIES["citizen_overview"]
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"content-type": "application/json", "accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the gateway's base URL, e.g. http://127.0.0.1:4000")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for /ready")
    args = parser.parse_args(argv)
    wait_until_ready(args.base, args.timeout)
    answer = comparable(demo_answer(args.base))
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if answer != expected:
        print("check_demo: the demo query's answer differs from Apollo Gateway's:", file=sys.stderr)
        print(json.dumps(answer, indent=2, sort_keys=True), file=sys.stderr)
        return 1
    print(f"check_demo: {args.base} answered the demo query as Apollo Gateway does")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
