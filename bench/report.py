"""Summarise the legs of a benchmark run into the printed table and the results JSON."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from typing import Any

from bench.load import LoadResult


@dataclass
class Leg:
    """One gateway variant measured once: the load result or why it failed."""

    label: str
    round: int
    load: LoadResult | None = None
    peak_rss: int = 0
    cpu_seconds: float = 0.0
    subgraph_cpu_seconds: float = 0.0
    subgraph_requests: dict[str, int] = field(default_factory=dict)
    validation_requests: int = 0
    sequential_subgraph_requests: dict[str, int] = field(default_factory=dict)
    failure: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "gateway": self.label,
            "round": self.round,
            "load": None if self.load is None else self.load.as_dict(),
            "peak_rss_bytes": self.peak_rss,
            "cpu_seconds": round(self.cpu_seconds, 2),
            "subgraph_cpu_seconds": round(self.subgraph_cpu_seconds, 2),
            "subgraph_requests": self.subgraph_requests,
            "sequential_subgraph_requests": self.sequential_subgraph_requests,
            "validation_requests": self.validation_requests,
            "failure": self.failure,
        }


@dataclass(frozen=True)
class Summary:
    label: str
    kind: str
    rps: float | None
    rps_rounds: list[float]
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    peak_rss_mb: float | None
    cpu_ms_per_request: float | None
    subgraph_per_request: float | None
    sequential_subgraph_per_request: float | None
    failures: list[str]


def summarise(label: str, kind: str, legs: list[Leg]) -> Summary:
    measured = [leg for leg in legs if leg.load is not None]
    loads = [leg.load for leg in measured if leg.load is not None]
    requests = sum(load.requests for load in loads)
    sub_total = sum(sum(leg.subgraph_requests.values()) for leg in measured)
    validated = [leg for leg in legs if leg.sequential_subgraph_requests]
    seq_total = sum(sum(leg.sequential_subgraph_requests.values()) for leg in validated)
    seq_requests = sum(leg.validation_requests for leg in validated)
    return Summary(
        label=label,
        kind=kind,
        rps=statistics.fmean(load.rps for load in loads) if loads else None,
        rps_rounds=[round(load.rps, 1) for load in loads],
        p50_ms=statistics.fmean(load.p50_us for load in loads) / 1000 if loads else None,
        p99_ms=statistics.fmean(load.p99_us for load in loads) / 1000 if loads else None,
        errors=sum(load.errors for load in loads),
        peak_rss_mb=max(leg.peak_rss for leg in measured) / 2**20 if measured else None,
        cpu_ms_per_request=(
            sum(leg.cpu_seconds for leg in measured) * 1000 / requests if requests else None
        ),
        subgraph_per_request=sub_total / requests if requests else None,
        sequential_subgraph_per_request=seq_total / seq_requests if seq_requests else None,
        failures=[leg.failure for leg in legs if leg.failure],
    )


def _num(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def table(summaries: list[Summary], baseline: str) -> str:
    """Markdown table; the ratio column is each gateway's req/s over ``baseline``'s."""
    base = next((s.rps for s in summaries if s.label == baseline), None)
    lines = [
        f"machine: {os.cpu_count()} cores",
        "",
        "| gateway | req/s | req/s per round | p50 ms | p99 ms | errors | peak RSS MB "
        "| CPU ms / request "
        "| subgraph req / request (load) | (sequential) "
        f"| req/s vs {baseline} |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in summaries:
        ratio = s.rps / base if (s.rps is not None and base) else None
        lines.append(
            f"| {s.label} | {_num(s.rps, '.0f')} | {', '.join(f'{r:.0f}' for r in s.rps_rounds)} "
            f"| {_num(s.p50_ms, '.1f')} | {_num(s.p99_ms, '.1f')} | {s.errors} "
            f"| {_num(s.peak_rss_mb, '.0f')} | {_num(s.cpu_ms_per_request, '.2f')} "
            f"| {_num(s.subgraph_per_request, '.2f')} "
            f"| {_num(s.sequential_subgraph_per_request, '.2f')} "
            f"| {_num(ratio, '.2f')} |"
        )
    for s in summaries:
        for failure in s.failures[:1]:
            lines.append(f"\n{s.label} FAILED: {failure.strip()[:600]}")
    return "\n".join(lines)


def _find(summaries: list[Summary], label: str) -> Summary | None:
    return next((s for s in summaries if s.label == label and s.rps), None)


def target_lines(summaries: list[Summary]) -> list[str]:
    """Issue 12's targets for aggregator and issue 9's for the token leg, each marked met
    or MISSED (only those measured)."""
    one = _find(summaries, "aggregator (1 worker)")
    two = _find(summaries, "aggregator (2 workers)")
    apollo = _find(summaries, "Apollo Gateway")
    router = _find(summaries, "Hive Gateway (Rust planner)")
    grafbase = _find(summaries, "Grafbase")
    token = _find(summaries, "aggregator-token (1 worker)")
    lines: list[str] = []

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    def ratio(name: str, ours: Summary, other: Summary | None, factor: float) -> None:
        if other is None or ours.rps is None or other.rps is None:
            return
        r = ours.rps / other.rps
        lines.append(
            f"target {ours.label} >= {factor:g}x {other.label} req/s: {r:.2f}x "
            f"{mark(r >= factor)}{name}"
        )

    if one is not None:
        ratio("", one, router, 1.5)
        ratio("", one, apollo, 7.0)
        if one.cpu_ms_per_request is not None:
            cpu = one.cpu_ms_per_request
            lines.append(
                f"target aggregator CPU per request <= 2 ms: {cpu:.2f} ms {mark(cpu <= 2)}"
            )
        others = [
            s
            for s in summaries
            if not s.kind.startswith("aggregator") and s.peak_rss_mb is not None
        ]
        if others and one.peak_rss_mb is not None:
            lowest = min(others, key=lambda s: s.peak_rss_mb or 0.0)
            assert lowest.peak_rss_mb is not None
            lines.append(
                f"target lowest peak memory with 1 worker: {one.peak_rss_mb:.0f} MB vs "
                f"{lowest.label} {lowest.peak_rss_mb:.0f} MB "
                f"{mark(one.peak_rss_mb < lowest.peak_rss_mb)}"
            )
        if router is not None and one.p99_ms is not None and router.p99_ms is not None:
            lines.append(
                f"target p99 under half of {router.label}'s: {one.p99_ms:.0f} vs "
                f"{router.p99_ms:.0f} ms {mark(one.p99_ms < router.p99_ms / 2)}"
            )
        if one.sequential_subgraph_per_request is not None:
            n = one.sequential_subgraph_per_request
            lines.append(f"target <= 7 subgraph requests per request: {n:.2f} {mark(n <= 7)}")
    if token is not None and one is not None and one.rps and token.rps:
        kept = token.rps / one.rps
        lines.append(
            f"target a valid token on every request keeps >= 90% of req/s: "
            f"{kept:.0%} {mark(kept >= 0.9)}"
        )
    if two is not None:
        ratio("", two, grafbase, 0.5)
        if one is not None and one.rps and two.rps:
            lines.append(f"scaling: 2 workers / 1 worker req/s = {two.rps / one.rps:.2f}x")
    return lines
