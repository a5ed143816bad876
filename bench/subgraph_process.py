"""The benchmark subgraphs as one child process: start it, read its URLs, count its requests."""

from __future__ import annotations

import re
import sys
import time
import urllib.request
from pathlib import Path

import orjson

from bench.expected import SUPERGRAPH_FILE
from bench.gateways import REPO_DIR
from bench.processes import ManagedProcess, ProcessFailed
from bench.scenarios import DEFAULT_SCENARIO


class SubgraphProcess:
    """``python -m bench.subgraphs`` with its four URLs and request counters."""

    def __init__(self, log_path: Path, scenario: str = DEFAULT_SCENARIO) -> None:
        self.process = ManagedProcess(
            "subgraphs",
            [sys.executable, "-m", "bench.subgraphs", "--scenario", scenario],
            log_path,
            cwd=REPO_DIR,
        )
        self.urls = self._read_urls()

    def _read_urls(self, timeout: float = 30.0) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.check_alive()
            for line in self.process.log_path.read_text().splitlines():
                if line.startswith("{"):
                    urls: dict[str, str] = orjson.loads(line)
                    return urls
            time.sleep(0.1)
        raise ProcessFailed(f"subgraphs did not start:\n{self.process.log_tail()}")

    def _control(self, name: str, path: str) -> dict[str, int]:
        url = self.urls[name].rsplit("/", 1)[0] + path
        with urllib.request.urlopen(url, timeout=10) as response:
            answer: dict[str, int] = orjson.loads(response.read())
            return answer

    def reset(self) -> None:
        for name in self.urls:
            self._control(name, "/reset")

    def counts(self) -> dict[str, int]:
        return {name: self._control(name, "/count")["requests"] for name in self.urls}

    def write_supergraph(self, path: Path) -> Path:
        """The committed supergraph with its subgraph URLs pointed at this process."""

        def point(match: re.Match[str]) -> str:
            return f'@join__graph(name: "{match[1]}", url: "{self.urls[match[1]]}")'

        text = re.sub(
            r'@join__graph\(name: "(\w+)", url: "[^"]*"\)', point, SUPERGRAPH_FILE.read_text()
        )
        path.write_text(text)
        return path

    def stop(self) -> None:
        self.process.stop()
