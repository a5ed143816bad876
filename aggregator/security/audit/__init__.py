"""The disclosure log: an append-only, hash-chained record of every sensitive release.

One JSON line per operation that released sensitive fields (who, for which
agency and purpose, which operation, which ``Type.field`` coordinates, which
subgraphs, which trace), never a token or a value. Each line carries the hash
of the line before it; ``aggregator audit verify`` re-checks the chain. The
gateway calls::

    log = await DisclosureLog.open(config.audit)          # start-up; fails closed
    await log.record(Disclosure.of_operation(document, subject=..., agency=...,
                     purpose=..., operation_name=..., coordinates=..., subgraphs=...,
                     trace_id=...))                       # before releasing the response
    await log.close()                                     # shutdown

Exceptions (see :mod:`aggregator.security.audit.errors`)::

    DisclosureLogError
    ├── DisclosureLogOpenError    cannot open, lock or continue the file (start-up)
    ├── DisclosureLogUnavailable  cannot record now: closed, failed, or queue full too long
    └── LogUnreadable             verify: the input is not a readable disclosure log
"""

from aggregator.security.audit.errors import (
    DisclosureLogError,
    DisclosureLogOpenError,
    DisclosureLogUnavailable,
)
from aggregator.security.audit.files import expand_path, probe_log_path
from aggregator.security.audit.log import DisclosureLog
from aggregator.security.audit.records import (
    Disclosure,
    DisclosureRecord,
    LogHeader,
    PreviousLog,
    genesis_hash,
    line_hash,
    operation_hash,
)
from aggregator.security.audit.verify import (
    Anchors,
    Broken,
    Intact,
    LogUnreadable,
    verify_logs,
)

__all__ = [
    "Anchors",
    "Broken",
    "Disclosure",
    "DisclosureLog",
    "DisclosureLogError",
    "DisclosureLogOpenError",
    "DisclosureLogUnavailable",
    "DisclosureRecord",
    "Intact",
    "LogHeader",
    "LogUnreadable",
    "PreviousLog",
    "expand_path",
    "genesis_hash",
    "line_hash",
    "operation_hash",
    "probe_log_path",
    "verify_logs",
]
