"""One formatter for every log line a gateway process writes: text or JSON.

Text (``2026-11-30 12:00:00,000 INFO aggregator.reload: ...``) is for a
developer's terminal; JSON (one object per line: ``time``, ``level``,
``logger``, ``message`` and the record's structured fields) is for log
collectors. The handler sits on the root logger, so uvicorn's, aiohttp's
and the gateway's own loggers all come out in the same format.

Structured fields travel in ``extra={"fields": {...}}``; only the access log
uses them, and it puts nothing there that may not be logged (see
``access_log.py``).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

import orjson

__all__ = ["LOG_FORMATS", "JsonFormatter", "TextFormatter", "configure_logging"]

LOG_FORMATS = ("text", "json")
_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARKER = "_aggregator_handler"


class TextFormatter(logging.Formatter):
    """The classic line, with structured fields appended as ``key=value``."""

    def __init__(self) -> None:
        super().__init__(_TEXT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields: dict[str, Any] | None = getattr(record, "fields", None)
        if fields:
            extra = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
            line = f"{line} {extra}" if extra else line
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _iso_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields: dict[str, Any] | None = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def _iso_time(created: float) -> str:
    seconds = int(created)
    millis = int((created - seconds) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def configure_logging(
    log_format: str = "text", level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Install the gateway's handler on the root logger (replacing an earlier one)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    setattr(handler, _MARKER, True)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _MARKER, False):
            root.removeHandler(old)
    root.addHandler(handler)
    logging.getLogger("aggregator").setLevel(level)
    for name in ("aggregator", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        # handlers of their own (uvicorn's, when it configured logging) would print a second copy
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
    return handler
