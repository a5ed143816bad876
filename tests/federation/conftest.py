"""Options and collection rules for the federation conformance runner.

``--against-apollo`` replays every golden against Apollo Gateway itself
(tests/oracle/gateway.mjs; needs node and ``npm ci`` in tests/oracle). It
proves the goldens reproduce and that the runner compares correctly; CI never
uses it. Pass the folder so pytest loads this file first:
``pytest tests/federation --against-apollo``.

Until ``aggregator.gateway`` exists (the lead builds it in parallel), the
differential tests are *deselected* (reported as such, never skipped); the
corpus and framework tests always run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import aggregator

RUNNER_FILE = "test_federation_cases.py"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--against-apollo", action="store_true", default=False,
                     help="run the federation goldens against Apollo Gateway instead of ours")


def gateway_available() -> bool:
    """True when this checkout's own ``aggregator`` package has the gateway.

    The origin check matters: an editable install of another checkout can make
    ``aggregator.gateway`` importable from outside this tree.
    """
    spec = importlib.util.find_spec("aggregator.gateway")
    if spec is None or spec.origin is None:
        return False
    return Path(spec.origin).resolve().is_relative_to(Path(aggregator.__file__).resolve().parent)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--against-apollo", default=False) or gateway_available():
        return
    removed = [item for item in items if item.nodeid.split("::")[0].endswith(RUNNER_FILE)]
    if removed:
        items[:] = [item for item in items if item not in removed]
        config.hook.pytest_deselected(items=removed)
