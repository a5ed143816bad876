"""The ``trusted_documents`` and ``rate_limits`` sections of ``aggregator.yaml``.

Manifests are checked to exist when the config loads and parsed when the gateway
starts (a manifest the gateway cannot read stops the start: a list of trusted
documents that silently does not apply would serve everything).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from aggregator.config.limits import positive_int
from aggregator.config.nodes import NodeReader
from aggregator.security.ratelimit import KeyKind, RateLimitPolicy
from aggregator.security.trusted_documents import Enforcement

__all__ = [
    "RateLimitConfig",
    "TrustedDocumentsConfig",
    "read_rate_limits",
    "read_trusted_documents",
]

_TRUSTED_KEYS = ("manifests", "mode", "require_id")
_RATE_KEYS = ("capacity", "refill_per_s", "key", "store", "trust_forwarded_for")


@dataclass(frozen=True, slots=True)
class TrustedDocumentsConfig:
    manifests: tuple[Path, ...]
    enforcement: Enforcement = Enforcement.STRICT
    require_id: bool = False


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    policy: RateLimitPolicy
    # "redis": buckets shared by every replica through server.redis_url
    store: str = "memory"


def read_trusted_documents(reader: NodeReader, node: yaml.Node) -> TrustedDocumentsConfig:
    f = reader.mapping(node, "trusted_documents", _TRUSTED_KEYS)
    if "manifests" not in f:
        raise reader.error(node, "trusted_documents.manifests", "required key is missing")
    items = reader.items(f["manifests"][1], "trusted_documents.manifests")
    if not items:
        raise reader.error(
            f["manifests"][1], "trusted_documents.manifests", "list at least one manifest file"
        )
    manifests = tuple(
        reader.path(item, f"trusted_documents.manifests[{i}]") for i, item in enumerate(items)
    )
    enforcement = Enforcement.STRICT
    if "mode" in f:
        text = reader.string(f["mode"][1], "trusted_documents.mode")
        try:
            enforcement = Enforcement(text)
        except ValueError:
            raise reader.error(
                f["mode"][1],
                "trusted_documents.mode",
                f"must be strict or log_unlisted, got '{text}'",
            ) from None
    require_id = False
    if "require_id" in f:
        require_id = reader.scalar(
            f["require_id"][1], "trusted_documents.require_id", bool, "true or false"
        )
    return TrustedDocumentsConfig(manifests, enforcement, require_id)


def read_rate_limits(reader: NodeReader, node: yaml.Node) -> RateLimitConfig:
    f = reader.mapping(node, "rate_limits", _RATE_KEYS)
    d = RateLimitPolicy()
    capacity = d.capacity
    if "capacity" in f:
        capacity = positive_int(reader, f["capacity"][1], "rate_limits.capacity") or capacity
    refill = d.refill_per_s
    if "refill_per_s" in f:
        refill = reader.positive(f["refill_per_s"][1], "rate_limits.refill_per_s")
    keys = d.keys
    if "key" in f:
        value = f["key"][1]
        nodes = (
            reader.items(value, "rate_limits.key")
            if isinstance(value, yaml.SequenceNode)
            else [value]
        )
        parsed: list[KeyKind] = []
        for index, item in enumerate(nodes):
            where = f"rate_limits.key[{index}]" if len(nodes) > 1 else "rate_limits.key"
            text = reader.string(item, where)
            try:
                parsed.append(KeyKind(text))
            except ValueError:
                choices = ", ".join(k.value for k in KeyKind)
                raise reader.error(item, where, f"must be one of {choices}, got '{text}'") from None
        if not parsed:
            raise reader.error(value, "rate_limits.key", "list at least one key kind")
        keys = tuple(parsed)
    store = "memory"
    if "store" in f:
        store = reader.string(f["store"][1], "rate_limits.store")
        if store not in ("memory", "redis"):
            raise reader.error(
                f["store"][1], "rate_limits.store", f"must be memory or redis, got '{store}'"
            )
    trust = False
    if "trust_forwarded_for" in f:
        trust = reader.scalar(
            f["trust_forwarded_for"][1], "rate_limits.trust_forwarded_for", bool, "true or false"
        )
    policy = RateLimitPolicy(
        capacity=capacity, refill_per_s=refill, keys=keys, trust_forwarded_for=trust
    )
    return RateLimitConfig(policy, store)
