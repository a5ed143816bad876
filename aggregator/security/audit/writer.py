"""The thread that owns the log file: appends, fsyncs, rotates and anchors, in queue order.

Lines arrive already sealed (hashed and numbered on the event loop), so the only
order that matters is the queue's, and one thread writing them one after another
makes the file order the chain order. Everything queued when the thread wakes is
written with one ``write`` and, with ``fsync: always``, one ``fsync`` (group
commit): a burst of requests costs one disk flush, not one each.

A failed write or rotation fails every queued item and leaves the writer failed
for good: a partly written line may now end the file, and only an operator (who
verifies and moves the file aside) may decide how to continue. Requests then fail
instead of releasing data that cannot be accounted for.

Anchors: the durable head (``seq:hash``) is written to the application log
(logger ``aggregator.audit``) at open, every ``anchor_interval_s`` while it moves,
at each rotation and at close, so a copy of the head exists outside the file; an
operator passes it to ``aggregator audit verify --anchor`` to detect a removed tail.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aggregator.config.audit import FsyncPolicy
from aggregator.security.audit.errors import DisclosureLogError, DisclosureLogUnavailable
from aggregator.security.audit.files import ChainHead, lock_file, sync_directory

__all__ = ["Append", "Close", "LogWriter", "Rotate", "WriteFn"]

_log = logging.getLogger("aggregator.audit")

Done = Callable[[BaseException | None], None]
# os.write, or a wrapper around it (a test holds writes back to fill the queue)
WriteFn = Callable[[int, memoryview], int]


@dataclass(frozen=True, slots=True)
class Append:
    data: bytes
    seq: int
    hash: str
    done: Done


@dataclass(frozen=True, slots=True)
class Rotate:
    """Rename the current file to ``rotated_to`` and start ``path`` again with ``header``."""

    header: bytes
    log: str
    seq: int
    hash: str
    rotated_to: Path
    done: Done


@dataclass(frozen=True, slots=True)
class Close:
    done: Done


_Item = Append | Rotate | Close


class LogWriter:
    """One per open log; ``submit`` is thread-safe and never blocks on the disk."""

    def __init__(
        self,
        fd: int,
        path: Path,
        head: ChainHead,
        *,
        fsync: FsyncPolicy,
        fsync_interval_s: float,
        anchor_interval_s: float,
        write: WriteFn = os.write,
    ) -> None:
        self._fd = fd
        self._write = write
        self._path = path
        self._fsync = fsync
        self._fsync_interval_s = fsync_interval_s
        self._anchor_interval_s = anchor_interval_s
        self._cond = threading.Condition()
        self._queue: list[_Item] = []
        self._inflight: deque[_Item] = deque()  # taken, not yet settled, in order
        self._failure: BaseException | None = None
        self._closing = False
        self._log_id = head.log
        self._written = (head.seq, head.hash)
        self._durable = self._written
        self._anchored: tuple[str, int, str] | None = None
        self._sync_due: float | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"disclosure-log:{path.name}", daemon=True
        )

    @property
    def failure(self) -> BaseException | None:
        return self._failure

    def start(self) -> None:
        self._anchor("opened")
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def submit(self, item: _Item) -> None:
        """Queue ``item``; raises :class:`DisclosureLogUnavailable` once failed or closed."""
        with self._cond:
            if self._failure is not None:
                raise DisclosureLogUnavailable(self.failure_message())
            if self._closing:
                raise DisclosureLogUnavailable(f"disclosure log {self._path} is closed")
            self._closing = isinstance(item, Close)
            self._queue.append(item)
            self._cond.notify()

    def failure_message(self) -> str:
        return (
            f"disclosure log {self._path} failed ({self._failure}); no further "
            "records are written until the gateway is restarted"
        )

    # --- the thread -------------------------------------------------------------

    def _run(self) -> None:
        next_anchor = time.monotonic() + self._anchor_interval_s
        while True:
            with self._cond:
                while not self._queue:
                    deadline = (
                        next_anchor if self._sync_due is None else min(next_anchor, self._sync_due)
                    )
                    timeout = deadline - time.monotonic()
                    if timeout <= 0:
                        break
                    self._cond.wait(timeout)
                batch, self._queue = self._queue, []
                self._inflight = deque(batch)
            try:
                stop = self._process(batch)
                now = time.monotonic()
                if self._sync_due is not None and now >= self._sync_due:
                    self._sync()
                if now >= next_anchor:
                    self._anchor("head")
                    next_anchor = now + self._anchor_interval_s
            except (OSError, DisclosureLogError) as exc:
                self._fail(exc)
                return
            if stop:
                return

    def _process(self, batch: list[_Item]) -> bool:
        buffer = bytearray()
        appended: list[Append] = []
        for item in batch:
            match item:
                case Append():
                    buffer += item.data
                    appended.append(item)
                case Rotate():
                    self._flush(buffer, appended)
                    buffer, appended = bytearray(), []
                    self._rotate(item)
                    self._settle(item, None)
                case Close():
                    self._flush(buffer, appended)
                    self._sync()
                    self._anchor("closed")
                    os.close(self._fd)
                    self._settle(item, None)
                    return True
        self._flush(buffer, appended)
        return False

    def _flush(self, buffer: bytearray, appended: list[Append]) -> None:
        if not appended:
            return
        view = memoryview(buffer)
        while view:
            written = self._write(self._fd, view)
            view = view[written:]
        self._written = (appended[-1].seq, appended[-1].hash)
        if self._fsync is FsyncPolicy.ALWAYS:
            self._sync()
        elif self._sync_due is None:
            self._sync_due = time.monotonic() + self._fsync_interval_s
        for item in appended:
            self._settle(item, None)

    def _sync(self) -> None:
        os.fsync(self._fd)
        self._durable = self._written
        self._sync_due = None

    def _rotate(self, item: Rotate) -> None:
        self._sync()
        self._anchor(f"rotated to {item.rotated_to.name}")
        os.rename(self._path, item.rotated_to)  # still holding the old file's lock
        fd = os.open(
            self._path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o640
        )
        try:
            lock_file(fd, self._path)
            os.write(fd, item.header)
            os.fsync(fd)
            sync_directory(self._path)
        except BaseException:
            os.close(fd)
            raise
        old, self._fd = self._fd, fd
        os.close(old)
        self._log_id = item.log
        self._written = self._durable = (item.seq, item.hash)
        self._anchor("opened")

    def _anchor(self, event: str) -> None:
        seq, digest = self._durable
        if event == "head" and self._anchored == (self._log_id, seq, digest):
            return
        self._anchored = (self._log_id, seq, digest)
        _log.info(
            "disclosure log %s %s: log=%s anchor=%d:%s",
            self._path,
            event,
            self._log_id,
            seq,
            digest,
        )

    def _settle(self, item: _Item, error: BaseException | None) -> None:
        settled = self._inflight.popleft()  # items settle in the order they were queued
        assert settled is item
        item.done(error)

    def _fail(self, exc: BaseException) -> None:
        with self._cond:
            self._failure = exc
            pending = [*self._inflight, *self._queue]
            self._queue, self._inflight = [], deque()
        _log.error("%s", self.failure_message())
        error = DisclosureLogUnavailable(self.failure_message())
        for item in pending:
            item.done(error)
        with contextlib.suppress(OSError):  # already closed if Close itself failed
            os.close(self._fd)
