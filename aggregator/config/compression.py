"""The ``compression:`` section: which response encodings the gateway offers.

On by default, as in Apollo Router: a GraphQL answer is JSON that shrinks
10-15 times, and the CPU it costs is measured in bench/README.md.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import yaml

from aggregator.config.nodes import NodeReader

__all__ = ["ALGORITHMS", "CompressionConfig", "read_compression"]

# every algorithm the gateway knows, with the module it needs
ALGORITHMS = {
    "zstd": ("compression.zstd", "backports.zstd"),
    "br": ("brotli", "brotlicffi"),
    "gzip": ("zlib",),
}
_KEYS = ("enabled", "min_bytes", "algorithms", "gzip_level", "brotli_quality", "zstd_level")
_LEVELS = {"gzip_level": (1, 9), "brotli_quality": (0, 11), "zstd_level": (1, 22)}


@dataclass(frozen=True, slots=True)
class CompressionConfig:
    enabled: bool = True
    # smaller bodies are sent as they are
    min_bytes: int = 1024
    # server preference when the client accepts several equally (unavailable ones are skipped)
    algorithms: tuple[str, ...] = ("zstd", "br", "gzip")
    gzip_level: int = 5
    brotli_quality: int = 3
    zstd_level: int = 3


def installed(algorithm: str) -> bool:
    for module in ALGORITHMS[algorithm]:
        try:
            if importlib.util.find_spec(module) is not None:
                return True
        except ModuleNotFoundError:  # a parent package is missing
            continue
    return False


def read_compression(reader: NodeReader, node: yaml.Node) -> CompressionConfig:
    f = reader.mapping(node, "compression", _KEYS)
    d = CompressionConfig()
    min_bytes = reader.optional(
        f,
        "min_bytes",
        lambda n: reader.scalar(n, "compression.min_bytes", int, "an integer"),
        d.min_bytes,
    )
    if min_bytes < 0:
        raise reader.error(f["min_bytes"][1], "compression.min_bytes", "must be 0 or more")
    algorithms = d.algorithms
    if "algorithms" in f:
        chosen: list[str] = []
        for index, item in enumerate(reader.items(f["algorithms"][1], "compression.algorithms")):
            key = f"compression.algorithms[{index}]"
            name = reader.string(item, key)
            if name not in ALGORITHMS:
                raise reader.error(
                    item, key, f"must be one of {', '.join(ALGORITHMS)}, got '{name}'"
                )
            if not installed(name):
                raise reader.error(
                    item, key, f"'{name}' needs `pip install {ALGORITHMS[name][-1].split('.')[0]}`"
                )
            chosen.append(name)
        algorithms = tuple(chosen)
    levels: dict[str, int] = {}
    for name, (low, high) in _LEVELS.items():
        value: int = getattr(d, name)
        if name in f:
            value = reader.scalar(f[name][1], f"compression.{name}", int, "an integer")
        if not low <= value <= high:
            raise reader.error(f[name][1], f"compression.{name}", f"must be {low}..{high}")
        levels[name] = value
    return CompressionConfig(
        enabled=reader.optional(
            f,
            "enabled",
            lambda n: reader.scalar(n, "compression.enabled", bool, "true or false"),
            d.enabled,
        ),
        min_bytes=min_bytes,
        algorithms=algorithms,
        **levels,
    )
