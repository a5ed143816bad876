"""Check a running pair of replicas behind a balancer from outside: for the compose run in CI.

    python -m tests.deploy.check_replicas http://127.0.0.1:PORT --stop CONTAINER

1. A document persisted through the balancer (APQ) is then found by hash on
   every following request, whichever replica the balancer picks (Redis).
2. While clients keep sending the same query through the balancer,
   ``docker stop CONTAINER`` (SIGTERM) stops one replica: no request may fail,
   and the stopped replica must exit with status 0.

Standard library only on the client side, like check_demo.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import threading
import time
import urllib.request
from typing import Any

QUERY = 'query Citizen { citizen(id: "C0001") { fullName vehicles { plate } } }'
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
PERSISTED = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": HASH}}}


def post(base: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def check_persisted_queries(base: str) -> Any:
    status, expected = post(base, {"query": QUERY, **PERSISTED})
    if status != 200 or "errors" in expected:
        raise SystemExit(f"check_replicas: registering the document failed: {status} {expected}")
    for _ in range(8):  # round robin: both replicas answer several times
        status, body = post(base, PERSISTED)
        if (status, body) != (200, expected):
            raise SystemExit(f"check_replicas: a replica did not find the document: {body}")
    return expected


def check_stop_under_load(base: str, container: str, expected: Any, clients: int) -> None:
    stop = threading.Event()
    answered: list[int] = []
    failures: list[str] = []

    def client() -> None:
        count = 0
        while not stop.is_set():
            try:
                status, body = post(base, {"query": QUERY})
            except OSError as exc:
                failures.append(repr(exc))
                continue
            if (status, body) != (200, expected):
                failures.append(f"{status} {body}")
            count += 1
        answered.append(count)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        subprocess.run(
            ["docker", "stop", "-t", "45", container], check=True, stdout=subprocess.DEVNULL
        )
        time.sleep(2)  # the other replica keeps serving alone
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    code = subprocess.run(
        ["docker", "inspect", "-f", "{{.State.ExitCode}}", container],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if failures or code != "0":
        raise SystemExit(
            f"check_replicas: {len(failures)} failed requests {failures[:3]}, "
            f"{container} exited with {code}"
        )
    print(
        f"check_replicas: {sum(answered)} requests while {container} stopped, none failed; "
        "it exited with 0"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the balancer's base URL")
    parser.add_argument(
        "--stop",
        required=True,
        metavar="CONTAINER",
        help="the replica's container to stop under load",
    )
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    expected = check_persisted_queries(args.base)
    print("check_replicas: a persisted query is found on every replica (Redis)")
    check_stop_under_load(args.base, args.stop, expected, args.clients)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
