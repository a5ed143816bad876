"""Options for the federation conformance runner.

``--against-apollo`` replays every golden against Apollo Gateway itself
(tests/oracle/gateway.mjs; needs node and ``npm ci`` in tests/oracle). It
proves the goldens reproduce and that the runner compares correctly; CI never
uses it. Pass the folder so pytest loads this file first:
``pytest tests/federation --against-apollo``.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--against-apollo", action="store_true", default=False,
                     help="run the federation goldens against Apollo Gateway instead of ours")
