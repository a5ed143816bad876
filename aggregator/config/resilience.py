"""Per-subgraph resilience and error policy: ``subgraph_defaults:`` and the same keys per subgraph.

``subgraph_defaults`` sets every remote subgraph's ``timeout_s``,
``max_response_bytes``, ``errors``, ``retry`` and ``circuit_breaker``; a subgraph's
own key wins. ``retry: false`` / ``circuit_breaker: false`` turn one off. ``errors``
defaults to the mode's: ``generic`` in production, ``pass_through`` in development.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import yaml

from aggregator.config.limits import positive_int
from aggregator.config.nodes import Fields, NodeReader, node_kind
from aggregator.config.production import Mode
from aggregator.transport.redaction import ErrorPolicy
from aggregator.transport.resilience import CircuitBreakerPolicy, ResiliencePolicy, RetryPolicy

__all__ = [
    "REMOTE_ONLY_KEYS",
    "RESILIENCE_KEYS",
    "SubgraphDefaults",
    "read_resilience",
    "read_subgraph_defaults",
]

MiB = 1024 * 1024
RESILIENCE_KEYS = ("timeout_s", "max_response_bytes", "errors", "retry", "circuit_breaker")
REMOTE_ONLY_KEYS = ("timeout_s", "max_response_bytes", "retry", "circuit_breaker")
_RETRY_KEYS = (
    "max_retries",
    "backoff_s",
    "max_backoff_s",
    "budget_ratio",
    "min_retries_per_s",
    "max_retry_after_s",
)
_BREAKER_KEYS = ("failure_threshold", "open_s")
_BOOL = "tag:yaml.org,2002:bool"


@dataclass(frozen=True, slots=True)
class SubgraphDefaults:
    timeout_s: float = 30.0
    max_response_bytes: int | None = 10 * MiB
    errors: ErrorPolicy | None = None  # None: the mode decides
    retry: RetryPolicy | None = field(default_factory=RetryPolicy)
    circuit_breaker: CircuitBreakerPolicy | None = field(default_factory=CircuitBreakerPolicy)


def mode_errors(mode: Mode) -> ErrorPolicy:
    return ErrorPolicy.PASS_THROUGH if mode.conveniences else ErrorPolicy.GENERIC


def _off(reader: NodeReader, node: yaml.Node, key: str) -> bool:
    """YAML's false in any spelling (false, no, off) turns a policy off; a mapping sets it.

    Decided by the resolved tag, as the JSON Schema sees the value: a quoted 'off'
    is a string, not a switch.
    """
    if isinstance(node, yaml.MappingNode):
        return False
    if (
        isinstance(node, yaml.ScalarNode)
        and node.tag == _BOOL
        and node.value.lower() in ("false", "no", "off")
    ):
        return True
    shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else f"a {node_kind(node)}"
    raise reader.error(node, key, f"must be a mapping of settings, or false for none, got {shown}")


def _number(
    reader: NodeReader, f: Fields, name: str, key: str, default: float, *, zero: bool = False
) -> float:
    if name not in f:
        return default
    node = f[name][1]
    value = reader.scalar(node, f"{key}.{name}", float, "a number")
    if value < 0 or (value == 0 and not zero):
        raise reader.error(
            node, f"{key}.{name}", f"must be {'>= 0' if zero else '> 0'}, got {value:g}"
        )
    return value


def _retry(reader: NodeReader, node: yaml.Node, key: str) -> RetryPolicy | None:
    if _off(reader, node, key):
        return None
    f = reader.mapping(node, key, _RETRY_KEYS)
    d = RetryPolicy()
    retries = d.max_retries
    if "max_retries" in f:
        retries = reader.scalar(f["max_retries"][1], f"{key}.max_retries", int, "an integer")
        if retries < 0:
            raise reader.error(f["max_retries"][1], f"{key}.max_retries", "must be >= 0")
    ratio = _number(reader, f, "budget_ratio", key, d.budget_ratio, zero=True)
    if ratio > 1:
        raise reader.error(
            f["budget_ratio"][1], f"{key}.budget_ratio", f"must be between 0 and 1, got {ratio:g}"
        )
    return RetryPolicy(
        max_retries=retries,
        backoff_s=_number(reader, f, "backoff_s", key, d.backoff_s, zero=True),
        max_backoff_s=_number(reader, f, "max_backoff_s", key, d.max_backoff_s, zero=True),
        budget_ratio=ratio,
        min_retries_per_s=_number(
            reader, f, "min_retries_per_s", key, d.min_retries_per_s, zero=True
        ),
        max_retry_after_s=_number(
            reader, f, "max_retry_after_s", key, d.max_retry_after_s, zero=True
        ),
    )


def _breaker(reader: NodeReader, node: yaml.Node, key: str) -> CircuitBreakerPolicy | None:
    if _off(reader, node, key):
        return None
    f = reader.mapping(node, key, _BREAKER_KEYS)
    d = CircuitBreakerPolicy()
    threshold = d.failure_threshold
    if "failure_threshold" in f:
        threshold = (
            positive_int(reader, f["failure_threshold"][1], f"{key}.failure_threshold") or threshold
        )
    return CircuitBreakerPolicy(
        failure_threshold=threshold, open_s=_number(reader, f, "open_s", key, d.open_s)
    )


def _errors(reader: NodeReader, node: yaml.Node, key: str) -> ErrorPolicy:
    text = reader.string(node, key)
    try:
        return ErrorPolicy(text)
    except ValueError:
        choices = ", ".join(p.value for p in ErrorPolicy)
        raise reader.error(node, key, f"must be one of {choices}, got '{text}'") from None


def _overrides(reader: NodeReader, f: Fields, key: str, base: SubgraphDefaults) -> SubgraphDefaults:
    changes: dict[str, object] = {}
    if "timeout_s" in f:
        changes["timeout_s"] = reader.positive(f["timeout_s"][1], f"{key}.timeout_s")
    if "max_response_bytes" in f:
        changes["max_response_bytes"] = positive_int(
            reader, f["max_response_bytes"][1], f"{key}.max_response_bytes", nullable=True
        )
    if "errors" in f:
        changes["errors"] = _errors(reader, f["errors"][1], f"{key}.errors")
    if "retry" in f:
        changes["retry"] = _retry(reader, f["retry"][1], f"{key}.retry")
    if "circuit_breaker" in f:
        changes["circuit_breaker"] = _breaker(
            reader, f["circuit_breaker"][1], f"{key}.circuit_breaker"
        )
    return replace(base, **changes)  # type: ignore[arg-type]


def read_subgraph_defaults(reader: NodeReader, node: yaml.Node) -> SubgraphDefaults:
    return _overrides(
        reader,
        reader.mapping(node, "subgraph_defaults", RESILIENCE_KEYS),
        "subgraph_defaults",
        SubgraphDefaults(),
    )


def read_resilience(
    reader: NodeReader, f: Fields, key: str, defaults: SubgraphDefaults, mode: Mode
) -> tuple[float, int | None, ResiliencePolicy]:
    """A subgraph's timeout, response size limit and policy: its keys over the defaults."""
    own = _overrides(reader, f, key, defaults)
    policy = ResiliencePolicy(
        errors=own.errors or mode_errors(mode), retry=own.retry, circuit_breaker=own.circuit_breaker
    )
    return own.timeout_s, own.max_response_bytes, policy
