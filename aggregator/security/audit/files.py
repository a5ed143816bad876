"""Opening a log file: one writer per file, and continuing exactly where the chain stopped.

Blocking file work, run off the event loop (at start-up, or in the writer thread).

One process per file: the open file is locked with ``flock(LOCK_EX | LOCK_NB)``,
so a second gateway process (or a second log object) that resolves to the same
path refuses to start instead of interleaving lines. Give each worker process
its own file with ``{pid}`` (or ``{host}``, one per machine or pod) in the path.
The lock is released by the kernel when the process dies, so a restart after a
crash is not blocked. (``flock`` is advisory and, on some network file
systems, local to one client: keep the log on a local disk.)

On open, the last line must be complete, parse, belong to the header's log and
hash to its own ``hash``; anything else stops start-up with one line, because
chaining new records over a torn or edited tail would make the damage look like
part of a valid chain.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson

from aggregator.security.audit.errors import DisclosureLogOpenError
from aggregator.security.audit.records import DisclosureRecord, LogHeader, line_hash

__all__ = [
    "ChainHead",
    "expand_path",
    "lock_file",
    "open_log_file",
    "probe_log_path",
    "sync_directory",
]

_TAIL_CHUNK = 65536
_FIRST_LINE_LIMIT = 1 << 20
_FILE_MODE = 0o640  # records name subjects: not world-readable


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where a file's chain stops: the next line gets ``seq + 1`` and ``prev = hash``."""

    log: str
    seq: int
    hash: str
    size: int


def expand_path(template: Path, *, pid: int | None = None, host: str | None = None) -> Path:
    """Fill ``{pid}``/``{host}`` for this process (the config reader allowed no others)."""
    text = str(template)
    if "{" not in text:
        return template
    try:
        return Path(
            text.format(
                pid=os.getpid() if pid is None else pid,
                host=socket.gethostname() if host is None else host,
            )
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise DisclosureLogOpenError(
            f"disclosure log path {text}: only {{pid}} and {{host}} may be filled in ({exc!r})"
        ) from None


def open_log_file(path: Path) -> tuple[int, ChainHead | None]:
    """Open ``path`` for append and lock it; ``None`` head means a new, empty file.

    Raises :class:`DisclosureLogOpenError` naming the path and the reason.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, _FILE_MODE)
    except OSError as exc:
        raise DisclosureLogOpenError(_cannot_open(path, exc)) from exc
    try:
        lock_file(fd, path)
        size = os.fstat(fd).st_size
        head = _read_head(fd, path, size) if size else None
    except BaseException:
        os.close(fd)
        raise
    return fd, head


def probe_log_path(template: Path, *, workers: int = 1) -> None:
    """Start-up check in the parent process: the log can be opened, or would be creatable.

    Creates nothing that stays behind (with ``{pid}`` the parent's file would never be
    used), but an existing file is opened, locked and its tail checked, as a worker would.
    Several worker processes need ``{pid}`` in the path, or all but one would be refused.
    """
    if workers > 1 and "{pid}" not in str(template):
        raise DisclosureLogOpenError(
            f"disclosure log {template}: with {workers} worker processes, audit.path needs "
            "{pid} (each process writes its own file)"
        )
    path = expand_path(template)
    if path.exists():
        fd, _ = open_log_file(path)
        os.close(fd)
        return
    directory = path.parent
    if not directory.is_dir():
        raise DisclosureLogOpenError(f"disclosure log {path}: directory {directory} does not exist")
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise DisclosureLogOpenError(_cannot_open(path, exc)) from exc


def sync_directory(path: Path) -> None:
    """Make a created or renamed file's directory entry durable."""
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock_file(fd: int, path: Path) -> None:
    """Take the one-writer lock, or raise naming the fix (a per-process path)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise DisclosureLogOpenError(
                f"disclosure log {path} is in use by another process; give each gateway "
                "process its own file (put {pid} or {host} in audit.path)"
            ) from exc
        raise DisclosureLogOpenError(_cannot_open(path, exc)) from exc


def _cannot_open(path: Path, exc: OSError) -> str:
    return f"cannot open disclosure log {path} for append: {exc.strerror or exc}"


def _damaged(path: Path, reason: str) -> DisclosureLogOpenError:
    return DisclosureLogOpenError(
        f"disclosure log {path}: {reason}; the chain cannot be continued: run "
        f"'aggregator audit verify {path}', move the file aside and restart"
    )


def _read_head(fd: int, path: Path, size: int) -> ChainHead:
    first = _first_line(fd, path)
    try:
        header = LogHeader.from_json(orjson.loads(first))
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        raise _damaged(path, f"line 1 is not a disclosure-log header ({exc})") from None
    last = _last_line(fd, size)
    if last is None:
        raise _damaged(
            path, "the last line is incomplete (a write was interrupted or the file was truncated)"
        )
    try:
        raw = orjson.loads(last)
        if not isinstance(raw, dict):
            raise TypeError("not a JSON object")
        if raw.get("kind") == LogHeader.KIND:
            record: LogHeader | DisclosureRecord = LogHeader.from_json(raw)
        else:
            record = DisclosureRecord.from_json(raw)
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        raise _damaged(path, f"the last line is not a valid record ({exc})") from None
    if record.log != header.log:
        raise _damaged(path, f"the last line belongs to log {record.log}, not {header.log}")
    if line_hash(raw) != record.hash:
        raise _damaged(path, "the last line's hash does not match its content (edited)")
    return ChainHead(log=header.log, seq=record.seq, hash=record.hash, size=size)


def _first_line(fd: int, path: Path) -> bytes:
    data = os.pread(fd, _FIRST_LINE_LIMIT, 0)
    line, newline, _ = data.partition(b"\n")
    if not newline:
        raise _damaged(path, "line 1 is incomplete or not a disclosure-log header")
    return line


def _last_line(fd: int, size: int) -> bytes | None:
    """The last line without its newline, or ``None`` when the file does not end with one."""
    if os.pread(fd, 1, size - 1) != b"\n":
        return None
    tail = b""
    position = size - 1
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        tail = os.pread(fd, position - start, start) + tail
        position = start
        cut = tail.rfind(b"\n")
        if cut >= 0:
            return tail[cut + 1 :]
    return tail
