"""The disclosure log the gateway awaits: one record per operation that released sensitive data.

Sealing (numbering, hashing) happens on the event loop with no ``await`` between
taking the chain head and queueing the line, so concurrent requests can never
fork the chain; the writer thread then keeps queue order. ``record()`` returns
only when the line is in the file (and on disk, with ``fsync: always``), so the
gateway can release data knowing the release is accounted for.

Back-pressure: at most ``queue_size`` records are accepted and not yet written.
When all slots are taken, ``record()`` waits up to ``queue_timeout_s`` and then
raises :class:`DisclosureLogUnavailable`; it never drops a record and never
lets a request through unrecorded (decision 0009).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from aggregator.config.audit import AuditConfig
from aggregator.security.audit.errors import (
    DisclosureLogOpenError,
    DisclosureLogUnavailable,
)
from aggregator.security.audit.files import (
    ChainHead,
    expand_path,
    open_log_file,
    sync_directory,
)
from aggregator.security.audit.records import (
    Disclosure,
    DisclosureRecord,
    LogHeader,
    PreviousLog,
    canonical,
)
from aggregator.security.audit.writer import Append, Close, Done, LogWriter, Rotate, WriteFn

__all__ = ["DisclosureLog", "utc_now"]


def utc_now() -> str:
    """RFC 3339, UTC, microseconds: ``2025-03-01T09:30:00.123456Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DisclosureLog:
    """An open, locked, hash-chained log file. Use :meth:`open`; ``close`` on shutdown."""

    def __init__(
        self,
        config: AuditConfig,
        path: Path,
        head: ChainHead,
        writer: LogWriter,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._config = config
        self._path = path
        self._log_id = head.log
        self._seq = head.seq
        self._hash = head.hash
        self._size = head.size
        self._writer = writer
        self._loop = loop
        self._slots = asyncio.Semaphore(config.queue_size)
        self._closed = False

    @classmethod
    async def open(cls, config: AuditConfig, *, write: WriteFn = os.write) -> DisclosureLog:
        """Open (or create) this process's file and continue its chain.

        Raises :class:`DisclosureLogOpenError` with one line when the file cannot be
        opened for append, is locked by another process, or ends in a damaged record.
        ``write`` is how record bytes reach the file (``os.write``; tests slow it down).
        """
        if config.path is None:
            raise DisclosureLogOpenError("audit.path is not set")
        path = expand_path(config.path)
        fd, head = await asyncio.to_thread(_open_or_start, path)
        writer = LogWriter(
            fd,
            path,
            head,
            fsync=config.fsync,
            fsync_interval_s=config.fsync_interval_s,
            anchor_interval_s=config.anchor_interval_s,
            write=write,
        )
        writer.start()
        return cls(config, path, head, writer, asyncio.get_running_loop())

    @property
    def path(self) -> Path:
        """The file written now (placeholders expanded)."""
        return self._path

    @property
    def head(self) -> tuple[str, int, str]:
        """(log id, seq, hash) of the last accepted line: the anchor to keep elsewhere."""
        return self._log_id, self._seq, self._hash

    async def record(self, disclosure: Disclosure) -> DisclosureRecord:
        """Append one record; returns it once written. Raises
        :class:`DisclosureLogUnavailable` when it cannot be (then release nothing)."""
        self._ensure_usable()
        try:
            async with asyncio.timeout(self._config.queue_timeout_s):
                await self._slots.acquire()
        except TimeoutError:
            raise DisclosureLogUnavailable(
                f"disclosure log {self._path}: no free queue slot within "
                f"{self._config.queue_timeout_s:g}s (writes are not keeping up); the "
                "request is refused rather than released unrecorded"
            ) from None
        try:
            self._ensure_usable()
            record = DisclosureRecord.seal(
                disclosure, log=self._log_id, seq=self._seq + 1, time=utc_now(), prev=self._hash
            )
            line = canonical(record.to_json()) + b"\n"
            written = self._loop.create_future()
            self._writer.submit(Append(line, record.seq, record.hash, self._settler(written)))
            self._seq, self._hash = record.seq, record.hash
            self._size += len(line)
            if self._config.rotate_bytes is not None and self._size >= self._config.rotate_bytes:
                # nobody waits for it: a failed rotation fails the writer, and so the
                # next record
                self._start_rotation(_ignore)
            await written
        finally:
            self._slots.release()
        return record

    async def rotate(self) -> Path:
        """Rename the file to ``<name>.<UTC time>`` and continue the chain in a new file
        whose header names the old one's last record; returns the rotated file's path."""
        self._ensure_usable()
        done = self._loop.create_future()
        rotated = self._start_rotation(self._settler(done))
        await done
        return rotated

    async def close(self) -> None:
        """Write what is queued, fsync, anchor the head in the application log, unlock."""
        if self._closed:
            return
        self._closed = True
        done = self._loop.create_future()
        try:
            self._writer.submit(Close(self._settler(done)))
        except DisclosureLogUnavailable:
            pass  # the writer failed earlier and has already closed the file
        else:
            with contextlib.suppress(DisclosureLogUnavailable):
                await done
        await asyncio.to_thread(self._writer.join)

    async def __aenter__(self) -> DisclosureLog:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _ensure_usable(self) -> None:
        if self._writer.failure is not None:
            raise DisclosureLogUnavailable(self._writer.failure_message())
        if self._closed:
            raise DisclosureLogUnavailable(f"disclosure log {self._path} is closed")

    def _start_rotation(self, done: Done) -> Path:
        rotated = self._path.with_name(
            f"{self._path.name}.{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"
        )
        previous = PreviousLog(log=self._log_id, seq=self._seq, hash=self._hash, file=rotated.name)
        header = LogHeader.seal(log=secrets.token_hex(16), time=utc_now(), previous=previous)
        line = canonical(header.to_json()) + b"\n"
        self._writer.submit(Rotate(line, header.log, header.seq, header.hash, rotated, done))
        self._log_id, self._hash, self._size = header.log, header.hash, len(line)
        return rotated

    def _settler(self, future: asyncio.Future[None]) -> Done:
        """A callback for the writer thread that settles ``future`` on the loop."""
        loop = self._loop

        def settle(error: BaseException | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
                loop.call_soon_threadsafe(_resolve, future, error)

        return settle


def _ignore(error: BaseException | None) -> None:
    return None


def _resolve(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # the awaiting request was cancelled
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


def _open_or_start(path: Path) -> tuple[int, ChainHead]:
    """Continue the file's chain, or write a new header into an empty file."""
    fd, head = open_log_file(path)
    if head is not None:
        return fd, head
    try:
        header = LogHeader.seal(log=secrets.token_hex(16), time=utc_now(), previous=None)
        line = canonical(header.to_json()) + b"\n"
        os.write(fd, line)
        os.fsync(fd)
        sync_directory(path)
    except OSError as exc:
        os.close(fd)
        raise DisclosureLogOpenError(
            f"cannot write to disclosure log {path}: {exc.strerror or exc}"
        ) from exc
    return fd, ChainHead(log=header.log, seq=header.seq, hash=header.hash, size=len(line))
