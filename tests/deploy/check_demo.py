"""Check a running demo gateway from outside: for the wheel and container tests.

    python -m tests.deploy.check_demo http://127.0.0.1:PORT [--timeout SECONDS]

Waits until ``/ready`` answers 200, sends the README's example query (four
agencies in one request) with a development token holding every grant and
compares the answer with the one recorded from Apollo Gateway
(tests/demo/golden). Then issue 9's "done when": anonymous callers get no tax
data (null and an error at its path), a ``tax:read`` token gets it, a
``health:read`` token does not, and a token whose signature or claims were
altered, or whose alg is none, is refused with 401. Exit status 0 when all
hold. Standard library only on the HTTP side, so it runs against a gateway
installed anywhere (a clean virtualenv, a container); tokens are minted with
the development key this checkout ships.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from aggregator.demo.app import demo_tokens
from aggregator.demo.auth import dev_token
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


def demo_answer(base: str, token: str | None = None) -> tuple[int, Any]:
    query, variables = QUERIES["citizen_overview"]
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def withheld(answer: Any) -> set[str]:
    """Response keys under ``citizen`` withheld as unauthorized."""
    return {
        str(error["path"][1])
        for error in answer.get("errors", [])
        if error.get("extensions", {}).get("code") == "UNAUTHORIZED_FIELD_OR_TYPE"
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def altered(token: str) -> dict[str, str]:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = "tax:read health:read"
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    none = _b64(b'{"alg":"none","typ":"JWT"}')
    return {
        "signature altered": f"{header}.{payload}.{flipped}",
        "claims altered": f"{header}.{_b64(json.dumps(claims).encode())}.{signature}",
        "alg none": f"{none}.{payload}.",
    }


def security_problems(base: str) -> list[str]:
    """What differs from issue 9's promises, as sentences (empty: all hold)."""
    problems: list[str] = []
    status, anonymous = demo_answer(base)
    citizen = (anonymous.get("data") or {}).get("citizen") or {}
    if status != 200 or citizen.get("taxReturns") is not None:
        problems.append(f"anonymous: tax data was released ({status})")
    if not {"taxReturns", "immunisations"} <= withheld(anonymous):
        problems.append(f"anonymous: withheld {sorted(withheld(anonymous))}, not tax and health")
    tax = dev_token("check-demo", agency="tax", scopes=["tax:read"], ttl_s=600)
    status, answer = demo_answer(base, tax)
    citizen = (answer.get("data") or {}).get("citizen") or {}
    if status != 200 or not citizen.get("taxReturns"):
        problems.append(f"tax:read: no tax data ({status})")
    health = dev_token("check-demo", agency="health", scopes=["health:read"], ttl_s=600)
    status, answer = demo_answer(base, health)
    citizen = (answer.get("data") or {}).get("citizen") or {}
    if status != 200 or citizen.get("taxReturns") is not None or not citizen.get("immunisations"):
        problems.append(f"health:read: tax data released or health data withheld ({status})")
    for case, forged in altered(tax).items():
        status, answer = demo_answer(base, forged)
        if status != 401 or (answer or {}).get("data") is not None:
            problems.append(f"{case}: answered {status}, not 401")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the gateway's base URL, e.g. http://127.0.0.1:4000")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for /ready")
    args = parser.parse_args(argv)
    wait_until_ready(args.base, args.timeout)
    _, full = demo_answer(args.base, demo_tokens()[0][1])
    answer = comparable(full)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if answer != expected:
        print("check_demo: the demo query's answer differs from Apollo Gateway's:", file=sys.stderr)
        print(json.dumps(answer, indent=2, sort_keys=True), file=sys.stderr)
        return 1
    problems = security_problems(args.base)
    for problem in problems:
        print(f"check_demo: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(
        f"check_demo: {args.base} answered the demo query as Apollo Gateway does, withheld tax "
        "and health data from callers without the scopes and refused altered tokens with 401"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
