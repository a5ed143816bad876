"""How to start each gateway the benchmark compares, on a given port and supergraph.

Node gateways run as one process each (Apollo Gateway on @apollo/server's
standalone server; Hive Gateway's CLI with ``--fork 1 --jit`` as in the public
benchmark's run script, and again with ``--hive-router-runtime``, its Rust query
planner and executor from ``@graphql-hive/router-runtime``). Grafbase runs as
its CLI's dev server (``grafbase dev``), which composes the supergraph itself
from the subgraph SDL files and URLs in a ``grafbase.toml``. aggregator runs
through its own CLI, with 1 or N uvicorn workers. ``aggregator-token`` is
aggregator served from a config file (``aggregator serve --config``) whose
``auth:`` section trusts the demo's development key and refuses anonymous
callers; every benchmark request carries a valid bearer token (issue 9: it must
keep at least 90% of plain aggregator's req/s).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson

from bench.scenarios import BENCH_DIR

REPO_DIR = BENCH_DIR.parent
NODE_MODULES = BENCH_DIR / "node_modules"
GRAFBASE = NODE_MODULES / "@grafbase" / "cli-x86_64-unknown-linux-musl" / "grafbase"
SDL_DIR = BENCH_DIR / "subgraphs" / "sdl"

LABELS = {
    "aggregator": "aggregator",
    "aggregator-token": "aggregator-token",
    "apollo": "Apollo Gateway",
    "hive": "Hive Gateway",
    "hive-router": "Hive Gateway (Rust planner)",
    "grafbase": "Grafbase",
}


@dataclass(frozen=True)
class GatewaySpec:
    """One gateway variant of the comparison (``aggregator`` with 2 workers is its own variant)."""

    kind: str
    workers: int = 1

    @property
    def is_aggregator(self) -> bool:
        return self.kind in ("aggregator", "aggregator-token")

    @property
    def label(self) -> str:
        if not self.is_aggregator:
            return LABELS[self.kind]
        return f"{self.kind} ({self.workers} worker{'s' if self.workers > 1 else ''})"

    @property
    def request_headers(self) -> dict[str, str]:
        """Extra headers of every benchmark request (a valid token for ``aggregator-token``)."""
        if self.kind != "aggregator-token":
            return {}
        return {"Authorization": "Bearer " + bench_token()}

    @property
    def graphql_path(self) -> str:
        return "/" if self.kind == "apollo" else "/graphql"

    @property
    def ready_path(self) -> str:
        return {
            "aggregator": "/health",
            "aggregator-token": "/health",
            "apollo": "/",
            "hive": "/healthcheck",
            "hive-router": "/healthcheck",
            "grafbase": "/health",
        }[self.kind]

    @property
    def cwd(self) -> Path:
        return REPO_DIR if self.is_aggregator else BENCH_DIR

    def env_for(self, supergraph: Path, urls: dict[str, str]) -> dict[str, str]:
        return {} if self.is_aggregator else {"NODE_ENV": "production"}

    def argv(self, supergraph: Path, port: int, urls: dict[str, str]) -> list[str]:
        if self.kind == "aggregator-token":
            config = token_config(supergraph.parent, supergraph, urls)
            argv = [
                sys.executable,
                "-m",
                "aggregator",
                "serve",
                "--config",
                str(config),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
            return argv + (["--workers", str(self.workers)] if self.workers != 1 else [])
        if self.kind == "aggregator":
            argv = [
                sys.executable,
                "-m",
                "aggregator",
                "serve",
                "--supergraph",
                str(supergraph),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
            for name, url in sorted(urls.items()):
                argv += ["--subgraph-url", f"{name}={url}"]
            if self.workers != 1:
                argv += ["--workers", str(self.workers)]
            return argv
        if self.kind == "apollo":
            return [
                "node",
                str(BENCH_DIR / "apollo-gateway.mjs"),
                str(supergraph),
                str(port),
                "127.0.0.1",
            ]
        if self.kind in ("hive", "hive-router"):
            runtime = ["--jit"] if self.kind == "hive" else ["--hive-router-runtime"]
            return [
                str(NODE_MODULES / ".bin" / "hive-gateway"),
                "supergraph",
                str(supergraph),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--fork",
                "1",
                *runtime,
            ]
        if self.kind == "grafbase":
            config = grafbase_config(supergraph.parent, urls)
            return [
                str(GRAFBASE),
                "--home",
                str(supergraph.parent / "grafbase-home"),
                "dev",
                "--config",
                str(config),
                "--listen-address",
                f"127.0.0.1:{port}",
            ]
        raise ValueError(f"unknown gateway kind {self.kind!r}")


def grafbase_config(folder: Path, urls: dict[str, str]) -> Path:
    """A ``grafbase.toml`` naming each subgraph's SDL file and URL (Grafbase composes them)."""
    lines: list[str] = []
    for name, url in sorted(urls.items()):
        lines += [
            f"[subgraphs.{name}]",
            f"url = {orjson.dumps(url).decode()}",
            f"schema_path = {orjson.dumps(str(SDL_DIR / f'{name}.graphql')).decode()}",
            "",
        ]
    path = folder / "grafbase.toml"
    path.write_text("\n".join(lines))
    return path


def token_config(folder: Path, supergraph: Path, urls: dict[str, str]) -> Path:
    """``aggregator.yaml`` for the token leg: the same supergraph and subgraph URLs as the
    plain leg, plus ``auth:`` trusting the demo's development key, anonymous refused."""
    from aggregator.demo.auth import dev_auth_yaml

    lines = [f"supergraph_file: {orjson.dumps(str(supergraph)).decode()}", "subgraphs:"]
    for name, url in sorted(urls.items()):
        lines += [f"  - name: {name}", f"    url: {orjson.dumps(url).decode()}"]
    auth = dev_auth_yaml().replace("anonymous: true ", "anonymous: false")
    if "anonymous: false" not in auth:
        raise RuntimeError("the demo's auth: snippet changed; cannot refuse anonymous callers")
    path = folder / "aggregator-token.yaml"
    path.write_text("\n".join(lines) + "\n" + auth)
    return path


@cache
def bench_token() -> str:
    """One development token for the whole run (valid for longer than any run)."""
    from aggregator.demo.auth import dev_token

    return dev_token("bench-user", agency="bench", scopes=["bench:read"], ttl_s=6 * 3600)


KINDS = ("aggregator", "aggregator-token", "apollo", "hive", "hive-router", "grafbase")


def gateway_variants(kinds: list[str], aggregator_workers: list[int]) -> list[GatewaySpec]:
    """The legs of one round, in order: every aggregator worker count first, then the others."""
    specs: list[GatewaySpec] = []
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown gateway {kind!r}; choose from {', '.join(KINDS)}")
        if kind in ("aggregator", "aggregator-token"):
            specs += [GatewaySpec(kind, workers) for workers in aggregator_workers]
        else:
            specs.append(GatewaySpec(kind))
    return specs
