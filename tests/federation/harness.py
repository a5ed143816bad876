"""Load conformance cases and run them: subgraphs, Apollo Gateway, one HTTP POST per operation.

The recorder (writes goldens from Apollo Gateway) and the pytest runner (checks
our gateway, or Apollo again, against them) share this module, so both start
subgraphs, reset their data and count requests in exactly the same way.

A case directory holds:
  ``<subgraph>.graphql``  one file per subgraph (file name = subgraph name)
  ``resolvers.py``        ``build() -> dict[subgraph name, Resolvers]``, called before
                          every operation so mutations never leak between operations
  ``operations.json``     ``[{name, query, variables?, operationName?, failures?,
                          error_fields?}]``; ``failures`` maps a subgraph to a mode of
                          ``SubgraphServer``; ``error_fields`` narrows which of
                          message/path/code errors are compared on (see compare.py);
                          ``oracle_bug`` (why: the spec rule or Apollo's issue) with
                          ``correct`` (the spec-correct response, or ``"hive"``: the
                          answer of Hive Gateway, the second oracle, recorded in
                          ``expected/<op>.hive.json``) marks an operation
                          Apollo answers wrongly: our gateway is held to ``correct``,
                          Apollo (``--against-apollo``) to its golden; with it,
                          ``max_requests`` replaces Apollo's request count as the bound
  ``case.json``           optional: ``{"unreachable": [subgraph, ...]}`` subgraphs whose URL
                          points at a closed port (connection refused) for the whole case
  ``supergraph.graphql``  composed by ``tests/oracle/compose.mjs``
  ``expected/<op>.json``  golden recorded from Apollo Gateway
  ``expected/<op>.plan``  Apollo's query plan for it (for reading, not compared)
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.federation.subgraph import Resolvers, SubgraphServer
from tests.support.servers import free_port, serve_asgi

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
ORACLE_DIR = HERE.parent / "oracle"


@dataclass(frozen=True)
class Operation:
    name: str
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    failures: dict[str, str] = field(default_factory=dict)
    error_fields: tuple[str, ...] = ("message", "path", "code")
    oracle_bug: str | None = None
    correct: dict[str, Any] | None = None
    # "hive" when ``correct`` is Hive Gateway's recorded answer rather than hand-written
    correct_from: str | None = None
    max_requests: int | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.query}
        if self.variables is not None:
            body["variables"] = self.variables
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        return body


@dataclass
class Case:
    name: str
    path: Path
    sdls: dict[str, str]
    operations: list[Operation]
    unreachable: list[str]

    @property
    def supergraph_path(self) -> Path:
        return self.path / "supergraph.graphql"

    def expected_path(self, op: Operation) -> Path:
        return self.path / "expected" / f"{op.name}.json"

    def hive_path(self, op: Operation) -> Path:
        """Hive Gateway's answer, for operations whose ``correct`` is ``"hive"``."""
        return self.path / "expected" / f"{op.name}.hive.json"

    def build_resolvers(self) -> dict[str, Resolvers]:
        spec = importlib.util.spec_from_file_location(
            f"federation_case_{self.name.replace('-', '_')}", self.path / "resolvers.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        build: Callable[[], dict[str, Resolvers]] = module.build
        return build()


def load_case(path: Path) -> Case:
    sdls = {
        p.stem: p.read_text()
        for p in sorted(path.glob("*.graphql"))
        if p.name != "supergraph.graphql"
    }
    ops = [
        Operation(
            name=o["name"],
            query=o["query"],
            variables=o.get("variables"),
            operation_name=o.get("operationName"),
            failures=o.get("failures", {}),
            error_fields=tuple(o.get("error_fields", ("message", "path", "code"))),
            oracle_bug=o.get("oracle_bug"),
            correct=_correct(path, o),
            correct_from="hive" if o.get("correct") == "hive" else None,
            max_requests=o.get("max_requests"),
        )
        for o in json.loads((path / "operations.json").read_text())
    ]
    names = [o.name for o in ops]
    if len(set(names)) != len(names):
        raise ValueError(f"{path.name}: duplicate operation names")
    for op in ops:
        if (op.oracle_bug is None) != (op.correct is None):
            raise ValueError(f"{path.name}/{op.name}: oracle_bug and correct go together")
    meta_path = path / "case.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return Case(
        name=path.name,
        path=path,
        sdls=sdls,
        operations=ops,
        unreachable=list(meta.get("unreachable", [])),
    )


def _correct(path: Path, op: dict[str, Any]) -> dict[str, Any] | None:
    correct = op.get("correct")
    if correct != "hive":
        return correct  # type: ignore[no-any-return]
    recorded = path / "expected" / f"{op['name']}.hive.json"
    if not recorded.exists():
        return {}  # not recorded yet: record.py writes it
    answer: dict[str, Any] = json.loads(recorded.read_text())["response"]
    return answer


def load_cases(names: list[str] | None = None) -> list[Case]:
    dirs = sorted(p for p in CASES_DIR.iterdir() if (p / "operations.json").exists())
    if names:
        dirs = [d for d in dirs if d.name in names or any(d.name.startswith(n) for n in names)]
    return [load_case(d) for d in dirs]


@dataclass
class RunningCase:
    """A case's subgraphs, live on loopback; ``urls`` is what a gateway must be given."""

    case: Case
    servers: dict[str, SubgraphServer]
    urls: dict[str, str]

    def prepare(self, op: Operation) -> None:
        resolvers = self.case.build_resolvers()
        for name, server in self.servers.items():
            server.reset(resolvers.get(name, {}), op.failures.get(name, "ok"))

    def counts(self) -> dict[str, int]:
        return {
            name: self.servers[name].count if name in self.servers else 0
            for name in sorted(self.case.sdls)
        }


@contextlib.asynccontextmanager
async def run_subgraphs(case: Case) -> AsyncIterator[RunningCase]:
    resolvers = case.build_resolvers()
    servers: dict[str, SubgraphServer] = {}
    urls: dict[str, str] = {}
    async with contextlib.AsyncExitStack() as stack:
        for name, sdl in case.sdls.items():
            if name in case.unreachable:
                urls[name] = f"http://127.0.0.1:{free_port()}/graphql"
                continue
            server = SubgraphServer(name, sdl, resolvers.get(name, {}))
            base = await stack.enter_async_context(serve_asgi(server))
            servers[name] = server
            urls[name] = f"{base}/graphql"
        yield RunningCase(case, servers, urls)


@contextlib.asynccontextmanager
async def apollo_gateway(supergraph: Path, urls: dict[str, str]) -> AsyncIterator[str]:
    """Apollo Gateway (tests/oracle/gateway.mjs) as a child process; yields its URL."""
    async with node_gateway("gateway.mjs", supergraph, urls) as url:
        yield url


@contextlib.asynccontextmanager
async def hive_gateway(supergraph: Path, urls: dict[str, str]) -> AsyncIterator[str]:
    """Hive Gateway (tests/oracle/hive_gateway.mjs), the second oracle; yields its URL."""
    async with node_gateway("hive_gateway.mjs", supergraph, urls) as url:
        yield url


@contextlib.asynccontextmanager
async def node_gateway(script: str, supergraph: Path, urls: dict[str, str]) -> AsyncIterator[str]:
    args = [str(ORACLE_DIR / script), "--supergraph", str(supergraph)]
    for name, url in urls.items():
        args += ["--url", f"{name}={url}"]
    proc = await asyncio.create_subprocess_exec(
        "node", *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        if not line:
            raise RuntimeError(f"{script} failed to start for {supergraph}")
        yield line.decode().strip()
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def post_operation(
    session: aiohttp.ClientSession, url: str, op: Operation, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """POST one operation; returns (HTTP status, parsed JSON body or the raw text)."""
    async with session.post(
        url, json=op.body(), headers={"accept": "application/json", **(headers or {})}
    ) as resp:
        text = await resp.text()
        try:
            return resp.status, json.loads(text)
        except json.JSONDecodeError:
            return resp.status, text


_PORT = re.compile(r"(127\.0\.0\.1|localhost):\d+")


def scrub_ports(value: Any) -> Any:
    """Loopback ports change every run; goldens store them as PORT."""
    if isinstance(value, str):
        return _PORT.sub(r"\1:PORT", value)
    if isinstance(value, list):
        return [scrub_ports(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub_ports(v) for k, v in value.items()}
    return value


def golden(status: int, body: Any, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "http_status": status,
        "response": scrub_ports(body),
        "subgraph_requests": counts,
        "total_subgraph_requests": sum(counts.values()),
    }
