"""The Node oracles composition is checked against, called in batches.

Each call starts one node process for many inputs (starting node and
loading Apollo's packages costs about a second, composing or loading one
set a few milliseconds), so the differential tests stay fast in CI. The
packages are those pinned in ``tests/oracle/package.json``, which
``scripts/setup`` installs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ORACLE = Path(__file__).resolve().parent.parent / "oracle"


def _run(script: str, payload: object, timeout: float) -> Any:
    node = shutil.which("node")
    assert node is not None, "node is required (scripts/setup installs the npm packages)"
    assert (ORACLE / "node_modules" / "@apollo").is_dir(), "run `npm ci` in tests/oracle"
    done = subprocess.run(
        [node, str(ORACLE / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ORACLE,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def gateway_load_errors(supergraphs: dict[str, str], timeout: float = 300) -> dict[str, list[str]]:
    """Name -> what Apollo Gateway says when it loads that supergraph ([] when it loads)."""
    result: dict[str, list[str]] = _run("load_supergraphs.mjs", supergraphs, timeout)
    return result


def apollo_compose(
    sets: dict[str, dict[str, str]], timeout: float = 300
) -> dict[str, dict[str, Any]]:
    """Name -> ``{"supergraph": sdl}`` or ``{"errors": [{code, message}]}`` from Apollo."""
    result: dict[str, dict[str, Any]] = _run("compose_many.mjs", sets, timeout)
    return result
