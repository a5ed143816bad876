"""Run ``aggregator ...`` as a real process, as an operator would, and always stop it.

``gateway`` starts ``aggregator serve`` (port 0: the launcher binds a free
port and prints it), waits until ``/health`` answers, and keeps every line
the process writes so tests can assert on logs while it runs.
``run_command`` runs a one-shot command and returns its exit status and
output.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

_SERVING = re.compile(r"^(?:aggregator: serving on|GraphiQL:) (https?://[^/]+)/")
_METRICS = re.compile(r"^aggregator: metrics on (http://\S+)$")


@dataclass
class GatewayProcess:
    proc: asyncio.subprocess.Process
    base_url: str = ""
    metrics_url: str | None = None
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def logs(self) -> str:
        return "\n".join(self.stderr)

    async def wait_for_log(self, text: str, timeout_s: float = 30) -> str:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            for line in self.stderr:
                if text in line:
                    return line
            await asyncio.sleep(0.05)
        raise AssertionError(f"no log line with {text!r}; stderr:\n{self.logs()}")


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGGREGATOR_", "PROMETHEUS_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd()), env.get("PYTHONPATH", "")]).strip(
        os.pathsep
    )
    env.update(extra or {})
    return env


async def _pump(stream: asyncio.StreamReader | None, into: list[str]) -> None:
    if stream is None:
        return
    while line := await stream.readline():
        into.append(line.decode(errors="replace").rstrip("\n"))


@contextlib.asynccontextmanager
async def gateway(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout_s: float = 60,
    command: str = "serve",
) -> AsyncIterator[GatewayProcess]:
    """``aggregator serve ARGS`` (or ``demo``); yields once /ready answers."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aggregator", command, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=_env(env), cwd=cwd,
    )  # fmt: skip
    running = GatewayProcess(proc)
    pumps = [
        asyncio.create_task(_pump(proc.stdout, running.stdout)),
        asyncio.create_task(_pump(proc.stderr, running.stderr)),
    ]
    try:
        await _wait_ready(running, ssl_context, timeout_s)
        yield running
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await asyncio.wait(pumps, timeout=5)
        for pump in pumps:
            pump.cancel()


async def _wait_ready(
    running: GatewayProcess, ssl_context: ssl.SSLContext | None, timeout_s: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            if running.proc.returncode is not None:
                await asyncio.sleep(0.2)  # let the pumps read the last lines
                raise AssertionError(
                    f"gateway exited with {running.proc.returncode}:\n{running.logs()}"
                )
            for line in running.stdout:
                if match := _METRICS.match(line):
                    running.metrics_url = match.group(1)
                if not running.base_url and (match := _SERVING.match(line)):
                    running.base_url = match.group(1)
            if running.base_url:
                try:
                    async with session.get(
                        f"{running.base_url}/ready", ssl=ssl_context or True
                    ) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"gateway not ready after {timeout_s}s:\n{running.logs()}")


@dataclass
class Completed:
    code: int
    stdout: str
    stderr: str


def run_command(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout_s: float = 120,
) -> Completed:
    """``aggregator ARGS`` to completion."""
    done = subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True, text=True, env=_env(env), cwd=cwd, input=stdin,
        timeout=timeout_s, check=False,
    )  # fmt: skip
    return Completed(done.returncode, done.stdout, done.stderr)
