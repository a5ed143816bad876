"""``bench/profile --under-load``: the real server under the benchmark's load, sampled by py-spy.

The in-process profile (pyinstrument, sequential requests) shows one request's
phases but not the server's: no HTTP server, no in-flight sharing, and an
instrumenting profiler's overhead. This starts the subgraphs and
``aggregator serve`` (one worker) exactly as ``bench/run`` does, drives it with
wrk (every response checked), and samples the worker with py-spy for the whole
measured load. It prints the gateway's CPU per request, the split of samples by
phase (the rules of ``bench.phases``, applied to each stack's innermost
recognised frame) and the functions that hold the most samples themselves
(C code such as ``orjson`` counts in the Python function that called it).

py-spy is not a dependency of the project: ``pip install py-spy`` (it needs
permission to read another process's memory: root, or ptrace allowed).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.expected import request_body
from bench.gateways import GatewaySpec
from bench.load import run_wrk, validated_bodies, write_accept_file
from bench.phases import PHASES, classify
from bench.processes import (
    ManagedProcess,
    cpu_seconds,
    free_port,
    tree_cpu_seconds,
    tree_pids,
)
from bench.subgraph_process import SubgraphProcess

_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*?)(?::\d+)?\)$")


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("bench/profile --under-load needs py-spy: pip install py-spy")
    return found


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame)
        if match is not None:
            frames.append((match["function"], match["path"]))
    return frames


# helper threads waiting for work (py-spy's idle detection misses them with --native):
# the offload pool's idle workers, the document workers' queue feeder and pool manager
_IDLE = ("_queue_SimpleQueue_get", "Queue._feed", "_ExecutorManagerThread")


def _idle(frames: list[tuple[str, str]]) -> bool:
    return any(function.startswith(_IDLE) for function, _ in frames)


def summarise(raw: str, top: int) -> tuple[dict[str, float], list[tuple[str, float]], int]:
    """Share of samples per phase, the ``top`` functions by own samples, and the sample count
    from py-spy's raw (collapsed stacks) output."""
    phases = dict.fromkeys(PHASES, 0)
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        if not frames or _idle(frames):
            continue
        total += count
        phase = "other"
        for function, path in frames:
            phase = classify(function, path) or phase
        phases[phase] += count
        function, path = frames[-1]
        where = path.split("site-packages/")[-1].split("/aggregator/", 1)[-1]
        own[f"{function} ({where})"] += count
    shares = {phase: count / total for phase, count in phases.items()} if total else {}
    return shares, [(name, count / total) for name, count in own.most_common(top)], total


def busiest_pid(root: int) -> int:
    """The process of the tree that has used the most CPU: the one serving requests (the
    tree also holds the document worker process and multiprocessing's resource tracker)."""
    return max(tree_pids(root), key=cpu_seconds)


def profile_under_load(args: argparse.Namespace) -> int:
    spy = _py_spy()
    workdir = Path(tempfile.mkdtemp(prefix="profile-load-", dir=args.out))
    subgraphs = SubgraphProcess(workdir / "subgraphs.log", args.scenario)
    try:
        supergraph = subgraphs.write_supergraph(workdir / "supergraph.graphql")
        spec = GatewaySpec("aggregator")
        port = free_port()
        server = ManagedProcess(
            "aggregator",
            spec.argv(supergraph, port, subgraphs.urls),
            workdir / "aggregator.log",
            cwd=spec.cwd,
            env=spec.env_for(supergraph, subgraphs.urls),
        )
        try:
            base = f"http://127.0.0.1:{port}"
            server.wait_http(base + spec.ready_path)
            url = base + spec.graphql_path
            accept = workdir / "accept.bin"
            write_accept_file(accept, validated_bodies(url, 5, args.scenario))
            request_file = workdir / "request.json"
            request_file.write_bytes(request_body())

            def load(seconds: int) -> object:
                return run_wrk(
                    url,
                    request_file=request_file,
                    accept_file=accept,
                    duration_s=seconds,
                    connections=args.connections,
                    threads=1,
                )

            load(args.warmup_seconds)
            raw_file = workdir / "py-spy.txt"
            sampler = subprocess.Popen(
                [
                    spy,
                    "record",
                    "--pid",
                    str(busiest_pid(server.pid)),
                    "--rate",
                    "200",
                    "--duration",
                    str(args.seconds),
                    "--format",
                    "raw",
                    "--output",
                    str(raw_file),
                    "--full-filenames",
                    "--native",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            time.sleep(0.5)  # py-spy attaches
            cpu_before = tree_cpu_seconds(server.pid)
            result = run_wrk(
                url,
                request_file=request_file,
                accept_file=accept,
                duration_s=args.seconds,
                connections=args.connections,
                threads=1,
            )
            cpu = tree_cpu_seconds(server.pid) - cpu_before
            _, error = sampler.communicate(timeout=args.seconds + 60)
            if not raw_file.exists():
                print(f"py-spy failed: {error.decode(errors='replace')[-500:]}", file=sys.stderr)
                return 1
        finally:
            server.stop()
    finally:
        subgraphs.stop()
    if result.errors:
        print(f"{result.errors} bad responses under load: {result.bad_sample}", file=sys.stderr)
        return 1
    shares, own, samples = summarise(raw_file.read_text(), args.top)
    print(
        f"scenario {args.scenario}, {args.connections} connections, {args.seconds} s: "
        f"{result.rps:.0f} req/s, CPU {cpu * 1000 / result.requests:.2f} ms per request "
        f"(sampling included), {samples} samples\n"
    )
    print("| phase | share of samples |\n| --- | ---: |")
    for phase in PHASES:
        if shares.get(phase):
            print(f"| {phase} | {shares[phase]:.0%} |")
    print("\n| function (own samples) | share |\n| --- | ---: |")
    for name, share in own:
        print(f"| `{name}` | {share:.1%} |")
    print(f"\nraw stacks: {raw_file}")
    return 0
