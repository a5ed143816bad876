"""``bench/run``: the federation benchmark: aggregator against Apollo Gateway, Hive Gateway
(with and without its Rust query planner) and Grafbase, on one data set (``--scenario``);
``aggregator-token`` is aggregator authenticating a valid bearer token on every request.

One round runs every gateway variant one after another under the same closed
loop (wrk, N connections); rounds repeat so that each gateway is measured
twice, alternating, and drift on the shared machine hits all of them alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from bench.expected import expected_checksum, request_body
from bench.gateways import GRAFBASE, KINDS, NODE_MODULES, GatewaySpec, gateway_variants
from bench.load import (
    LoadResult,
    ValidationFailed,
    post,
    run_wrk,
    validated_bodies,
    write_accept_file,
)
from bench.processes import (
    ManagedProcess,
    PeakRssSampler,
    ProcessFailed,
    free_port,
    tree_cpu_seconds,
)
from bench.report import Leg, summarise, table, target_lines
from bench.scenarios import BENCH_DIR, DEFAULT_SCENARIO, SCENARIOS
from bench.subgraph_process import SubgraphProcess

SUBGRAPH_PROBE = orjson.dumps(
    {
        "query": "query($representations:[_Any!]!){_entities(representations:$representations)"
        "{...on Product{reviews{id body author{id username reviews{id body product{upc}}}}}}}",
        "variables": {
            "representations": [{"__typename": "Product", "upc": str(u)} for u in range(1, 6)]
        },
    }
)


VALIDATION_REQUESTS = 20


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--duration", type=int, default=20, help="seconds of measured load per leg")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load per leg")
    parser.add_argument("--connections", type=int, default=50, help="closed-loop connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (load generator)")
    parser.add_argument("--rounds", type=int, default=2, help="times each gateway is measured")
    parser.add_argument(
        "--gateways", default=",".join(KINDS), help=f"comma list of {', '.join(KINDS)}"
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default=DEFAULT_SCENARIO,
        help="data set: standard (the reference subgraphs' data) or light",
    )
    parser.add_argument(
        "--workers", default="1", help="comma list of aggregator uvicorn worker counts, e.g. 1,2"
    )
    parser.add_argument(
        "--subgraph-duration",
        type=int,
        default=5,
        help="seconds of load on one subgraph alone (0 skips it)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=BENCH_DIR / "results",
        help="folder for the results JSON and logs",
    )
    return parser.parse_args(argv)


class Run:
    """One benchmark run: shared subgraphs, files, and the legs measured so far."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.request_file = workdir / "request.json"
        self.request_file.write_bytes(request_body())
        self.subgraphs = SubgraphProcess(workdir / "subgraphs.log", args.scenario)
        self.supergraph = self.subgraphs.write_supergraph(workdir / "supergraph.graphql")

    def load(
        self, url: str, accept: Path, seconds: int, headers: dict[str, str] | None = None
    ) -> LoadResult:
        return run_wrk(
            url,
            request_file=self.request_file,
            accept_file=accept,
            duration_s=seconds,
            connections=self.args.connections,
            threads=self.args.threads,
            authorization=(headers or {}).get("Authorization"),
        )

    def subgraph_alone(self) -> dict[str, Any]:
        """Throughput of the reviews subgraph alone, on the same load generator settings."""
        url = self.subgraphs.urls["reviews"]
        status, body = post(url, SUBGRAPH_PROBE)
        if status != 200 or b'"errors"' in body:
            raise ValidationFailed(f"subgraph probe failed: {status} {body[:300]!r}")
        probe_file = self.workdir / "subgraph-request.json"
        probe_file.write_bytes(SUBGRAPH_PROBE)
        accept = self.workdir / "subgraph-accept.bin"
        write_accept_file(accept, [body])
        result = run_wrk(
            url,
            request_file=probe_file,
            accept_file=accept,
            duration_s=self.args.subgraph_duration,
            connections=self.args.connections,
            threads=self.args.threads,
        )
        return {"subgraph": "reviews", **result.as_dict()}

    def leg(self, spec: GatewaySpec, round_no: int) -> Leg:
        leg = Leg(spec.label, round_no, validation_requests=VALIDATION_REQUESTS)
        port = free_port()
        name = f"{spec.kind}-w{spec.workers}-r{round_no}"
        process = ManagedProcess(
            name,
            spec.argv(self.supergraph, port, self.subgraphs.urls),
            self.workdir / f"{name}.log",
            cwd=spec.cwd,
            env=spec.env_for(self.supergraph, self.subgraphs.urls),
        )
        base = f"http://127.0.0.1:{port}"
        url = base + spec.graphql_path
        try:
            process.wait_http(base + spec.ready_path)
            accept = self.workdir / f"{name}-accept.bin"
            headers = spec.request_headers
            if headers:  # the token leg must refuse a request without one
                refused_without_token(url)
            # the first request may plan and connect
            validated_bodies(url, 1, self.args.scenario, headers)
            self.subgraphs.reset()
            write_accept_file(
                accept, validated_bodies(url, VALIDATION_REQUESTS, self.args.scenario, headers)
            )
            leg.sequential_subgraph_requests = self.subgraphs.counts()
            if self.args.warmup:
                self.load(url, accept, self.args.warmup, headers)
            process.check_alive()
            self.subgraphs.reset()
            cpu_before = tree_cpu_seconds(process.pid)
            sub_cpu_before = tree_cpu_seconds(self.subgraphs.process.pid)
            with PeakRssSampler(process.pid).running() as sampler:
                leg.load = self.load(url, accept, self.args.duration, headers)
            leg.cpu_seconds = tree_cpu_seconds(process.pid) - cpu_before
            leg.subgraph_cpu_seconds = tree_cpu_seconds(self.subgraphs.process.pid) - sub_cpu_before
            leg.peak_rss = sampler.peak
            leg.subgraph_requests = self.subgraphs.counts()
            process.check_alive()
            if leg.load.errors:
                leg.failure = f"{leg.load.errors} bad responses; first: {leg.load.bad_sample}"
        except (ProcessFailed, ValidationFailed, RuntimeError, OSError) as error:
            leg.failure = str(error)
        finally:
            process.stop()
        return leg


def refused_without_token(url: str) -> None:
    """The token leg's gateway must answer 401 to the benchmark query without a token."""
    status, body = post(url, request_body())
    if status != 401:
        raise ValidationFailed(f"no token: expected 401, got {status} {body[:300]!r}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        variants = gateway_variants(
            [g.strip() for g in args.gateways.split(",") if g.strip()],
            [int(w) for w in args.workers.split(",")],
        )
    except ValueError as error:
        raise SystemExit(f"bench/run: {error}") from None
    peers = {spec.kind for spec in variants if not spec.is_aggregator}
    if peers and (not (NODE_MODULES / ".bin" / "hive-gateway").exists() or not GRAFBASE.exists()):
        raise SystemExit("bench/node_modules is missing: run `npm ci --prefix bench` first")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    workdir = Path(tempfile.mkdtemp(prefix=f"run-{stamp}-", dir=args.out))
    log(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"scenario {args.scenario}; logs in {workdir}"
    )
    load_before = os.getloadavg()[0]
    run = Run(args, workdir)
    legs: list[Leg] = []
    subgraph_alone: dict[str, Any] | None = None
    try:
        if args.subgraph_duration:
            subgraph_alone = run.subgraph_alone()
            log(
                f"subgraph alone: {subgraph_alone['rps']:.0f} req/s, "
                f"{subgraph_alone['errors']} errors"
            )
        for round_no in range(1, args.rounds + 1):
            for spec in variants:
                log(f"round {round_no}: {spec.label} ...")
                leg = run.leg(spec, round_no)
                legs.append(leg)
                if leg.load is not None:
                    log(
                        f"  {leg.load.rps:.0f} req/s, p99 {leg.load.p99_us / 1000:.1f} ms, "
                        f"{leg.load.errors} errors"
                    )
                if leg.failure:
                    log(f"  FAILED: {leg.failure.strip()[:300]}")
    finally:
        run.subgraphs.stop()
    summaries = [
        summarise(spec.label, spec.kind, [leg for leg in legs if leg.label == spec.label])
        for spec in variants
    ]
    baseline = variants[0].label
    print(
        f"scenario: {args.scenario}; load average before/after: {load_before:.1f} / "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(table(summaries, baseline))
    targets = target_lines(summaries)
    if targets:
        print("\n" + "\n".join(targets))
    if subgraph_alone is not None:
        busiest = max(
            ((s.rps or 0) * (s.subgraph_per_request or 0) for s in summaries), default=0.0
        )
        headroom = subgraph_alone["rps"] / busiest if busiest else None
        print(
            f"\nsubgraph alone (reviews, {args.connections} connections): "
            f"{subgraph_alone['rps']:.0f} req/s, {subgraph_alone['errors']} errors; "
            f"busiest gateway asked {busiest:.0f} subgraph req/s"
            + (f" ({headroom:.1f}x headroom)" if headroom else "")
        )
    busy = [
        leg.subgraph_cpu_seconds / leg.load.duration_s
        for leg in legs
        if leg.load is not None and leg.load.duration_s
    ]
    if busy:
        print(f"subgraph process CPU during the measured load: at most {max(busy):.0%} of one core")
    result_file = args.out / f"{stamp}.json"
    result_file.write_bytes(
        orjson.dumps(
            {
                "started": stamp,
                "cores": os.cpu_count(),
                "settings": {k: str(v) for k, v in vars(args).items()},
                "load_average": [load_before, os.getloadavg()[0]],
                "expected_checksum": expected_checksum(args.scenario),
                "subgraph_alone": subgraph_alone,
                "legs": [leg.as_dict() for leg in legs],
                "summary": [s.__dict__ for s in summaries],
            },
            option=orjson.OPT_INDENT_2,
        )
    )
    print(f"\nresults: {result_file}")
    return 1 if any(leg.failure for leg in legs) else 0


if __name__ == "__main__":
    sys.exit(main())
