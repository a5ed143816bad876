from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.caching.agencies import CITIZEN_NAMES, Agencies, serve_agencies


@pytest.fixture(scope="module")
async def agencies_server() -> AsyncIterator[Agencies]:
    async with serve_agencies() as agencies:
        yield agencies


@pytest.fixture
def agencies(agencies_server: Agencies) -> Agencies:
    agencies_server.reset()
    CITIZEN_NAMES.clear()
    return agencies_server


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path
