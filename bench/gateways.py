"""How to start each gateway the benchmark compares, on a given port and supergraph.

Node gateways run as one process each (Apollo Gateway on @apollo/server's
standalone server; Hive Gateway's CLI with ``--fork 1 --jit`` as in the public
benchmark's run script). aggregator runs through its own CLI, with 1 or N
uvicorn workers. ``aggregator-token`` is aggregator with authentication on
(trusting the demo's development key) and a valid bearer token on every
request: issue 9 asks it to keep at least 90% of plain aggregator's req/s.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson

from bench.expected import BENCH_DIR

REPO_DIR = BENCH_DIR.parent
NODE_MODULES = BENCH_DIR / "node_modules"


@dataclass(frozen=True)
class GatewaySpec:
    """One gateway variant of the comparison (``aggregator`` with 2 workers is its own variant)."""

    kind: str
    workers: int = 1

    @property
    def label(self) -> str:
        return self.kind if self.workers == 1 else f"{self.kind} ({self.workers} workers)"

    @property
    def request_headers(self) -> dict[str, str]:
        """Extra headers of every benchmark request (a valid token for aggregator-token)."""
        if self.kind != "aggregator-token":
            return {}
        return {"Authorization": "Bearer " + _bench_token()}

    @property
    def graphql_path(self) -> str:
        return "/" if self.kind == "apollo" else "/graphql"

    @property
    def ready_path(self) -> str:
        return {"aggregator": "/health", "aggregator-token": "/health", "apollo": "/",
                "hive": "/healthcheck"}[self.kind]

    @property
    def cwd(self) -> Path:
        return REPO_DIR if self.kind.startswith("aggregator") else BENCH_DIR

    def env_for(self, supergraph: Path, urls: dict[str, str]) -> dict[str, str]:
        if not self.kind.startswith("aggregator"):
            return {"NODE_ENV": "production"}
        env = {"BENCH_SUPERGRAPH": str(supergraph),
               "BENCH_SUBGRAPH_URLS": orjson.dumps(urls).decode()}
        if self.kind == "aggregator-token":
            env["BENCH_AUTH"] = "dev"
        return env

    def argv(self, supergraph: Path, port: int, urls: dict[str, str]) -> list[str]:
        if self.kind == "aggregator-token" or (
                self.kind == "aggregator" and self.workers != 1
                and not _serve_has_workers_option()):
            # the same uvicorn settings as `aggregator serve`; the factory adds authentication
            return [sys.executable, "-m", "uvicorn", "bench.aggregator_app:create_app",
                    "--factory", "--workers", str(self.workers), "--host", "127.0.0.1",
                    "--port", str(port), "--log-level", "warning", "--no-access-log"]
        if self.kind == "aggregator":
            if self.workers != 1 and not _serve_has_workers_option():
                return [sys.executable, "-m", "uvicorn", "bench.aggregator_app:create_app",
                        "--factory", "--workers", str(self.workers), "--host", "127.0.0.1",
                        "--port", str(port), "--log-level", "warning", "--no-access-log"]
            argv = [sys.executable, "-m", "aggregator", "serve", "--supergraph", str(supergraph),
                    "--host", "127.0.0.1", "--port", str(port)]
            for name, url in sorted(urls.items()):
                argv += ["--subgraph-url", f"{name}={url}"]
            if self.workers != 1:
                argv += ["--workers", str(self.workers)]
            return argv
        if self.kind == "apollo":
            return ["node", str(BENCH_DIR / "apollo-gateway.mjs"), str(supergraph), str(port),
                    "127.0.0.1"]
        if self.kind == "hive":
            return [str(NODE_MODULES / ".bin" / "hive-gateway"), "supergraph", str(supergraph),
                    "--host", "127.0.0.1", "--port", str(port), "--fork", "1", "--jit"]
        raise ValueError(f"unknown gateway kind {self.kind!r}")


@cache
def _serve_has_workers_option() -> bool:
    """Whether ``aggregator serve`` takes ``--workers`` (else uvicorn runs the factory)."""
    done = subprocess.run([sys.executable, "-m", "aggregator", "serve", "--help"],
                          cwd=REPO_DIR, capture_output=True, timeout=60, check=False)
    return b"--workers" in done.stdout


KINDS = ("aggregator", "aggregator-token", "apollo", "hive")


@cache
def _bench_token() -> str:
    """One development token for the whole run (valid for longer than any run)."""
    from aggregator.demo.auth import dev_token

    return dev_token("bench-user", agency="bench", scopes=["bench:read"], ttl_s=6 * 3600)


def gateway_variants(kinds: list[str], aggregator_workers: list[int]) -> list[GatewaySpec]:
    """The legs of one round, in order: every aggregator worker count first, then the others."""
    specs: list[GatewaySpec] = []
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown gateway {kind!r}; choose from {', '.join(KINDS)}")
        if kind.startswith("aggregator"):
            specs += [GatewaySpec(kind, workers) for workers in aggregator_workers]
        else:
            specs.append(GatewaySpec(kind))
    return specs
