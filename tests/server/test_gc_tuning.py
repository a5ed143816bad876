"""A serving worker freezes its start-up objects and collects young garbage less often.

Checked in a fresh interpreter through the real uvicorn factory (``app_from_env``),
so this test process keeps its own collector settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from aggregator.server.gc_tuning import YOUNG_THRESHOLD
from tests.gateway.conftest import SUPERGRAPH

PROBE = """
import gc, json
from aggregator.server.run import app_from_env
before = gc.get_threshold()
app_from_env()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_the_worker_factory_tunes_the_collector(tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(SUPERGRAPH)
    settings = {
        "supergraph": str(supergraph),
        "subgraph_urls": {},
        "expose_query_plans": False,
        "graphiql": False,
    }
    env = {**os.environ, "AGGREGATOR_SERVE_SETTINGS": json.dumps(settings)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, timeout=120, check=True
    )
    report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert report["before"][0] < YOUNG_THRESHOLD
    assert report["after"] == [YOUNG_THRESHOLD, report["before"][1], report["before"][2]]
    assert report["frozen"] > 10_000  # modules, the schema and the gateway, never traversed again
