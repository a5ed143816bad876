"""The ``audit:`` section: read with file:line errors, and fail closed at start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aggregator.config import AuditConfig, ConfigError, FsyncPolicy, load_config
from aggregator.security.audit import DisclosureLog, DisclosureLogOpenError
from tests.audit.support import AGGREGATOR, config, write_log

SUBGRAPHS = """
subgraphs:
  - name: tax
    url: http://127.0.0.1:9/graphql
"""


def load(tmp_path: Path, audit: str) -> AuditConfig:
    path = tmp_path / "aggregator.yaml"
    path.write_text(SUBGRAPHS + audit, encoding="utf-8")
    return load_config(path).audit


def error(tmp_path: Path, audit: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, audit)
    return str(info.value)


def test_no_section_means_no_log(tmp_path: Path) -> None:
    assert load(tmp_path, "") == AuditConfig(enabled=False)


def test_a_section_is_read_with_defaults_and_a_resolved_path(tmp_path: Path) -> None:
    audit = load(tmp_path, "audit:\n  path: logs/disclosure-{pid}.log\n")
    assert audit == AuditConfig(enabled=True, path=tmp_path / "logs" / "disclosure-{pid}.log")
    full = load(
        tmp_path,
        """audit:
  enabled: true
  path: /var/log/aggregator/disclosure-{host}-{pid}.log
  fsync: interval
  fsync_interval_s: 0.5
  queue_size: 64
  queue_timeout_s: 2
  rotate_bytes: 104857600
  anchor_interval_s: 30
""",
    )
    assert full == AuditConfig(
        enabled=True,
        path=Path("/var/log/aggregator/disclosure-{host}-{pid}.log"),
        fsync=FsyncPolicy.INTERVAL,
        fsync_interval_s=0.5,
        queue_size=64,
        queue_timeout_s=2.0,
        rotate_bytes=104857600,
        anchor_interval_s=30.0,
    )
    assert load(tmp_path, "audit:\n  enabled: false\n") == AuditConfig(enabled=False)


@pytest.mark.parametrize(
    ("audit", "message"),
    [
        (
            "audit:\n  pth: d.log\n",
            "aggregator.yaml:6: audit.pth: unknown key (did you mean 'path'?)",
        ),
        (
            "audit:\n  enabled: true\n",
            "aggregator.yaml:6: audit.path: required when the disclosure log is enabled",
        ),
        (
            "audit:\n  path: d.log\n  fsync: sometimes\n",
            "aggregator.yaml:7: audit.fsync: must be one of always, interval, got 'sometimes'",
        ),
        (
            "audit:\n  path: d.log\n  fsync_interval_s: 1\n",
            "aggregator.yaml:7: audit.fsync_interval_s: only used with 'fsync: interval'",
        ),
        (
            "audit:\n  path: d-{user}.log\n",
            "aggregator.yaml:6: audit.path: unknown placeholder {user} (allowed: {pid}, {host})",
        ),
        ("audit:\n  path: d-{pid.log\n", "aggregator.yaml:6: audit.path: bad placeholder"),
        ("audit:\n  path: logs/\n", "aggregator.yaml:6: audit.path: must name a file"),
        (
            "audit:\n  path: d.log\n  queue_size: 0\n",
            "aggregator.yaml:7: audit.queue_size: must be at least 1, got 0",
        ),
        (
            "audit:\n  path: d.log\n  rotate_bytes: 10\n",
            "aggregator.yaml:7: audit.rotate_bytes: must be at least 4096, got 10",
        ),
        (
            "audit:\n  path: d.log\n  enabled: yes please\n",
            "aggregator.yaml:7: audit.enabled: must be true or false",
        ),
        ("audit: /var/log/d.log\n", "aggregator.yaml:5: audit: must be a mapping"),
    ],
)
def test_mistakes_name_the_line_and_key(tmp_path: Path, audit: str, message: str) -> None:
    assert message in error(tmp_path, audit)


async def serve(config_file: Path, *extra: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        AGGREGATOR,
        "serve",
        "--config",
        str(config_file),
        "--port",
        "0",
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


def config_file(tmp_path: Path, log_path: Path) -> Path:
    path = tmp_path / "aggregator.yaml"
    path.write_text(SUBGRAPHS + f"audit:\n  path: {log_path}\n", encoding="utf-8")
    return path


async def test_serve_refuses_to_start_when_the_log_cannot_be_opened(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "d.log"
    code, err = await serve(config_file(tmp_path, missing))
    assert code == 2
    assert (
        err == f"aggregator: error: disclosure log {missing}: directory "
        f"{missing.parent} does not exist\n"
    )
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, err = await serve(config_file(tmp_path, tmp_path / "a-file" / "d.log"))
    assert code == 2
    assert err.count("\n") == 1
    assert "does not exist" in err


async def test_serve_refuses_a_log_in_use_or_with_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "d.log"
    async with await DisclosureLog.open(config(path)):
        code, err = await serve(config_file(tmp_path, path))
    assert code == 2
    assert err.count("\n") == 1
    assert "in use by another process" in err
    await write_log(path, 2)
    path.write_bytes(path.read_bytes()[:-1])
    code, err = await serve(config_file(tmp_path, path))
    assert code == 2
    assert err.count("\n") == 1
    assert "the last line is incomplete" in err
    assert "aggregator audit verify" in err


async def test_serve_with_several_workers_needs_a_file_per_process(tmp_path: Path) -> None:
    code, err = await serve(config_file(tmp_path, tmp_path / "d.log"), "--workers", "2")
    assert code == 2
    assert err.count("\n") == 1
    assert "with 2 worker processes, audit.path needs {pid}" in err


async def test_a_path_built_in_code_with_an_unknown_placeholder_fails_closed(
    tmp_path: Path,
) -> None:
    with pytest.raises(DisclosureLogOpenError, match=r"only \{pid\} and \{host\}"):
        await DisclosureLog.open(config(tmp_path / "d-{user}.log"))
