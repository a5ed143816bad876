"""Fixtures for the micro-benchmarks: the gateway over in-process benchmark subgraphs.

Run with ``bench/micro/run`` (files are named ``bench_*.py`` so the default test
run, which collects ``tests/``, never picks them up).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from typing import Any

import pytest

from bench.expected import SUPERGRAPH_FILE
from bench.scenarios import DEFAULT_SCENARIO, SCENARIOS
from bench.subgraphs.in_process import InProcessBenchSubgraph, in_process_subgraphs


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--scenario",
        choices=sorted(SCENARIOS),
        default=DEFAULT_SCENARIO,
        help="benchmark data set: standard (the reference data) or light",
    )


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> str:
    name: str = request.config.getoption("--scenario")
    return name


@pytest.fixture
def subgraphs(scenario: str) -> dict[str, InProcessBenchSubgraph]:
    return in_process_subgraphs(scenario)


@pytest.fixture
def gateway(
    loop: asyncio.AbstractEventLoop, subgraphs: dict[str, InProcessBenchSubgraph]
) -> Iterator[Any]:
    gateway_cls: Any = importlib.import_module("aggregator.gateway").Gateway
    gw = gateway_cls.from_supergraph_sdl(SUPERGRAPH_FILE.read_text(), subgraphs=subgraphs)
    try:
        yield gw
    finally:
        loop.run_until_complete(gw.close())
