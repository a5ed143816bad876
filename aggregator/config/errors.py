"""Configuration errors.

ConfigError            the file cannot be used; the message names file:line and the key
"""

from __future__ import annotations

from pathlib import Path


class ConfigError(Exception):
    """A bad config file: ``aggregator.yaml:12: subgraphs[1].timeout_s: must be a number``."""

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        self.reason = message
        where = ""
        if self.file is not None:
            where = self.file if line is None else f"{self.file}:{line}"
            where += ": "
        what = f"{key}: " if key else ""
        super().__init__(f"{where}{what}{message}")
