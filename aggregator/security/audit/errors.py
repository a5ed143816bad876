"""Disclosure-log errors, one hierarchy.

    DisclosureLogError            base: the log cannot account for a release
    ├── DisclosureLogOpenError    start-up: the file cannot be opened, locked or continued
    ├── DisclosureLogUnavailable  run time: closed, failed on write, or no queue slot in time
    └── LogUnreadable             verify: not a readable disclosure log (in verify.py)

Every message is one line meant for an operator. The gateway must treat any of
them as "do not release": an unrecorded disclosure is worse than a failed request.
"""

from __future__ import annotations

__all__ = ["DisclosureLogError", "DisclosureLogOpenError", "DisclosureLogUnavailable"]


class DisclosureLogError(Exception):
    """The disclosure log cannot record; nothing sensitive may be released."""


class DisclosureLogOpenError(DisclosureLogError):
    """The log file cannot be opened for append, is locked by another process, or its
    last record is damaged so the chain cannot be continued."""


class DisclosureLogUnavailable(DisclosureLogError):
    """A record could not be written: the log is closed, a write failed (the log stays
    failed until restart), or no queue slot freed up within ``queue_timeout_s``."""
