from __future__ import annotations

import pytest

from aggregator.observability.setup import TracingSetupError, configure_tracing_from_env


def test_tracing_is_off_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGGREGATOR_TRACING", raising=False)
    assert configure_tracing_from_env() is False
    monkeypatch.setenv("AGGREGATOR_TRACING", "off")
    assert configure_tracing_from_env() is False


def test_unknown_exporter_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGGREGATOR_TRACING", "jaeger")
    with pytest.raises(TracingSetupError, match="'console' or 'otlp'"):
        configure_tracing_from_env()
