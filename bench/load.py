"""Closed-loop load with wrk, checking every response with bench/wrk-check.lua.

Before the load, a handful of sequential requests are fully validated in Python
(status, no errors, canonical checksum of the expected data); the exact bodies
that passed become the only bodies the Lua script accepts during the run, so a
fast wrong answer is an error, not a request per second.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.expected import request_body, response_problem
from bench.scenarios import BENCH_DIR

CHECK_SCRIPT = BENCH_DIR / "wrk-check.lua"


class ValidationFailed(RuntimeError):
    """The gateway's answer to the benchmark query is not the expected one."""


@dataclass(frozen=True)
class LoadResult:
    """One wrk run: counts, latency percentiles (microseconds) and checked outcomes."""

    requests: int
    duration_s: float
    good: int
    bad_status: int
    bad_body: int
    socket_errors: int
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    bad_sample: str

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        return self.bad_status + self.bad_body + self.socket_errors

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "rps": round(self.rps, 1), "errors": self.errors}


def post(
    url: str, body: bytes, timeout: float = 30.0, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


def validated_bodies(
    url: str, count: int, scenario_name: str, headers: dict[str, str] | None = None
) -> list[bytes]:
    """Send the benchmark query ``count`` times; every answer must be the expected data."""
    bodies: list[bytes] = []
    for _ in range(count):
        status, body = post(url, request_body(), headers=headers)
        problem = response_problem(status, body, scenario_name)
        if problem is not None:
            raise ValidationFailed(problem)
        if body not in bodies:
            bodies.append(body)
    return bodies


def write_accept_file(path: Path, bodies: list[bytes]) -> None:
    with path.open("wb") as f:
        for body in bodies:
            f.write(b"%d\n" % len(body))
            f.write(body)


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    return wrk


def run_wrk(
    url: str,
    *,
    request_file: Path,
    accept_file: Path,
    duration_s: int,
    connections: int,
    threads: int,
    authorization: str | None = None,
) -> LoadResult:
    """Run wrk against ``url`` (scheme://host:port/path) and return its checked result;
    ``authorization`` is the Authorization header of every request (none if None)."""
    base, _, path = url.partition("://")[2].partition("/")
    argv = [
        require_wrk(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration_s}s",
        "--timeout",
        "10s",
        "-s",
        str(CHECK_SCRIPT),
        f"http://{base}/",
    ]
    env = {
        "BENCH_REQUEST": str(request_file),
        "BENCH_ACCEPT": str(accept_file),
        "BENCH_PATH": "/" + path,
        "PATH": "/usr/bin:/bin",
    }
    if authorization is not None:
        env["BENCH_AUTHORIZATION"] = authorization
    done = subprocess.run(argv, env=env, capture_output=True, timeout=duration_s + 60, check=False)
    for line in done.stdout.decode(errors="replace").splitlines():
        if line.startswith("BENCH_RESULT "):
            raw = orjson.loads(line.removeprefix("BENCH_RESULT "))
            return LoadResult(
                requests=raw["requests"],
                duration_s=raw["duration_us"] / 1e6,
                good=raw["good"],
                bad_status=raw["bad_status"],
                bad_body=raw["bad_body"],
                socket_errors=raw["connect_errors"]
                + raw["read_errors"]
                + raw["write_errors"]
                + raw["timeouts"],
                p50_us=raw["p50_us"],
                p90_us=raw["p90_us"],
                p99_us=raw["p99_us"],
                max_us=raw["max_us"],
                bad_sample=raw["bad_sample"],
            )
    raise RuntimeError(
        f"wrk gave no result (exit {done.returncode}): "
        f"{done.stdout[-2000:]!r} {done.stderr[-2000:]!r}"
    )
