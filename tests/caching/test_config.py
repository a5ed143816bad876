"""The ``cache:`` section: good settings become a CacheConfig, mistakes name file:line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import ConfigError, load_config, parse_config
from aggregator.config.cache import CacheBackendKind, CacheConfig, CacheOverride
from aggregator.registry.gateway_factory import gateway_from_config
from tests.caching.agencies import SUPERGRAPH

SUBGRAPHS = """
subgraphs:
  - name: catalog
    url: http://127.0.0.1:1/graphql
  - name: records
    url: http://127.0.0.1:2/graphql
"""


def load(
    tmp_path: Path, cache: str, env: dict[str, str] | None = None, head: str = SUBGRAPHS
) -> CacheConfig:
    path = tmp_path / "aggregator.yaml"
    path.write_text(head + cache, encoding="utf-8")
    return parse_config(path.read_text(), file=path, env=env or {}).cache


def error(tmp_path: Path, cache: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, cache, env)
    return str(info.value)


def test_no_section_means_no_cache(tmp_path: Path) -> None:
    config = load(tmp_path, "")
    assert config == CacheConfig()
    assert not config.enabled
    assert not config.active


def test_a_full_section_loads(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
cache:
  backend: redis
  redis:
    url: ${REDIS_URL}
    cluster: true
    timeout_ms: 20
    key_prefix: agg
    max_backoff_s: 2
  default_ttl_s: 30
  max_ttl_s: 600
  private: false
  subgraphs:
    catalog: {ttl_s: 120, private: true}
    records: {enabled: false}
  types:
    Office:
    LicenceClass: {ttl_s: 5}
  response_headers: false
  invalidate_on_mutation: false
  admin_token: ${TOKEN}
  rest_http_cache: false
  rest_keep_stale_s: 60
""",
        env={"REDIS_URL": "redis://cache:6379/2", "TOKEN": "t" * 40},
    )
    assert config.enabled
    assert config.backend is CacheBackendKind.REDIS
    assert config.redis is not None
    assert config.redis.url == "redis://cache:6379/2"
    assert config.redis.cluster
    assert config.redis.timeout_ms == 20
    assert config.redis.key_prefix == "agg"
    assert config.default_ttl_s == 30
    assert config.max_ttl_s == 600
    assert not config.private
    assert config.subgraphs["catalog"] == CacheOverride(True, 120, True)
    assert config.subgraphs["records"] == CacheOverride(False)
    assert config.types["Office"] == CacheOverride()
    assert config.types["LicenceClass"].ttl_s == 5
    assert config.types["LicenceClass"].origin.line == 24
    assert not config.response_headers
    assert not config.invalidate_on_mutation
    assert config.admin_token == "t" * 40
    assert "t" * 40 not in repr(config)
    assert not config.rest_http_cache
    assert config.rest_keep_stale_s == 60


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("1048576", 1048576),
        ("64MiB", 64 * 1024 * 1024),
        ("512 KB", 512_000),
        ("1GiB", 1 << 30),
    ],
)
def test_memory_size_in_bytes_or_units(tmp_path: Path, size: str, expected: int) -> None:
    assert load(tmp_path, f"cache:\n  max_bytes: {size}\n").max_bytes == expected


@pytest.mark.parametrize(
    ("cache", "message"),
    [
        (
            "cache:\n  ttl_s: 5\n",
            "aggregator.yaml:8: cache.ttl_s: unknown key (did you mean 'max_ttl_s'?)",
        ),
        (
            "cache:\n  backend: memcached\n",
            "aggregator.yaml:8: cache.backend: must be 'memory' or 'redis', got 'memcached'",
        ),
        (
            "cache:\n  backend: redis\n",
            "aggregator.yaml:8: cache.redis: required when backend is 'redis'",
        ),
        (
            "cache:\n  redis: {url: 'redis://x'}\n",
            "aggregator.yaml:8: cache.redis: set 'backend: redis' to use Redis",
        ),
        (
            "cache:\n  backend: redis\n  redis: {url: 'http://x'}\n",
            "aggregator.yaml:9: cache.redis.url: must start with redis://, rediss:// or unix://, "
            "got 'http://x'",
        ),
        (
            "cache:\n  backend: redis\n  redis: {url: 'redis://x'}\n  max_bytes: 1000000\n",
            "aggregator.yaml:10: cache.max_bytes: bounds the memory backend only; "
            "bound Redis with its maxmemory",
        ),
        (
            "cache:\n  max_bytes: lots\n",
            "aggregator.yaml:8: cache.max_bytes: must be a size such as 67108864 or '64MiB', "
            "got 'lots'",
        ),
        (
            "cache:\n  max_bytes: 100\n",
            "aggregator.yaml:8: cache.max_bytes: must be at least 65536 bytes, got 100",
        ),
        (
            "cache:\n  default_ttl_s: 0\n",
            "aggregator.yaml:8: cache.default_ttl_s: must be greater than 0, got 0",
        ),
        (
            "cache:\n  default_ttl_s: 100\n  max_ttl_s: 50\n",
            "aggregator.yaml:8: cache.default_ttl_s: is above max_ttl_s (50)",
        ),
        (
            "cache:\n  admin_token: short\n",
            "aggregator.yaml:8: cache.admin_token: must be at least 32 characters "
            "(use ${VAR} to keep it out of the file)",
        ),
        (
            "cache:\n  admin_token: ${NOPE}\n",
            "aggregator.yaml:8: cache.admin_token: environment variable NOPE is not set",
        ),
        (
            "cache:\n  subgraphs:\n    catalgo: {ttl_s: 5}\n",
            "aggregator.yaml:9: cache.subgraphs.catalgo: no subgraph with this name "
            "(subgraphs: catalog, records)",
        ),
        (
            "cache:\n  subgraphs:\n    catalog: {ttl: 5}\n",
            "aggregator.yaml:9: cache.subgraphs.catalog.ttl: unknown key (did you mean 'ttl_s'?)",
        ),
        (
            "cache:\n  types:\n    Office: {enabled: false, ttl_s: 5}\n",
            "aggregator.yaml:9: cache.types.Office: a disabled entry takes no ttl_s or private",
        ),
        (
            "cache:\n  types:\n    not-a-type: {}\n",
            "aggregator.yaml:9: cache.types.not-a-type: not a GraphQL type name",
        ),
        (
            "cache:\n  enabled: yes please\n",
            "aggregator.yaml:8: cache.enabled: must be true or false, got 'yes please'",
        ),
    ],
)
def test_mistakes_name_file_line_and_key(tmp_path: Path, cache: str, message: str) -> None:
    assert error(tmp_path, cache) == message


def test_names_only_the_supergraph_knows_are_checked_when_the_gateway_is_built(
    tmp_path: Path,
) -> None:
    (tmp_path / "supergraph.graphql").write_text(SUPERGRAPH)
    path = tmp_path / "aggregator.yaml"
    path.write_text(
        "supergraph_file: supergraph.graphql\ncache:\n  types:\n    Vehicle: {ttl_s: 5}\n"
    )
    with pytest.raises(ConfigError) as info:
        gateway_from_config(load_config(path), SUPERGRAPH)
    assert str(info.value) == (
        "aggregator.yaml:4: cache.types.Vehicle: no type named 'Vehicle' in the supergraph"
    )
    path.write_text(
        "supergraph_file: supergraph.graphql\ncache:\n  subgraphs:\n    dmv: {ttl_s: 5}\n"
    )
    with pytest.raises(ConfigError) as info:
        gateway_from_config(load_config(path), SUPERGRAPH)
    assert str(info.value) == (
        "aggregator.yaml:4: cache.subgraphs.dmv: no subgraph named 'dmv' in the supergraph"
    )


async def test_a_supergraph_subgraph_the_file_does_not_list_can_be_cached(
    tmp_path: Path,
) -> None:
    """With supergraph_file, subgraphs: lists only the overrides; the others keep their URL."""
    (tmp_path / "supergraph.graphql").write_text(SUPERGRAPH)
    path = tmp_path / "aggregator.yaml"
    path.write_text(
        "supergraph_file: supergraph.graphql\nsubgraphs:\n  - name: catalog\n"
        "    url: http://127.0.0.1:1/graphql\ncache:\n  subgraphs:\n    records: {ttl_s: 5}\n"
    )
    config = load_config(path)
    assert config.cache.subgraphs["records"].ttl_s == 5
    gateway = gateway_from_config(config, SUPERGRAPH)  # records is in the supergraph
    await gateway.close()  # the memory store is shared in this process until released
    path.write_text(path.read_text().replace("records:", "recrods:"))
    with pytest.raises(ConfigError) as info:
        gateway_from_config(load_config(path), SUPERGRAPH)
    assert str(info.value) == (
        "aggregator.yaml:7: cache.subgraphs.recrods: no subgraph named 'recrods' in the supergraph"
    )


def test_serve_refuses_a_bad_cache_section_in_one_line(tmp_path: Path) -> None:
    from aggregator.cli import main

    path = tmp_path / "aggregator.yaml"
    path.write_text(SUBGRAPHS + "cache:\n  backend: redis\n")
    assert main(["serve", "--config", str(path)]) == 2


def test_vary_headers(tmp_path: Path) -> None:
    config = load(tmp_path, "cache:\n  vary_headers: [Accept-Language, x-region]\n")
    assert config.vary_headers == ("accept-language", "x-region")
    assert error(tmp_path, "cache:\n  vary_headers: [Authorization]\n") == (
        "aggregator.yaml:8: cache.vary_headers: authorization is covered by the caller's "
        "partition already"
    )
    assert error(tmp_path, "cache:\n  vary_headers: ['bad header']\n") == (
        "aggregator.yaml:8: cache.vary_headers: not an HTTP header name: 'bad header'"
    )


def test_a_non_repeatable_cache_control_on_shared_types_is_refused(tmp_path: Path) -> None:
    """Composition keeps one application of a non-repeatable directive: a scope may be lost."""
    lossy = SUPERGRAPH.replace(
        "inheritMaxAge: Boolean) repeatable on", "inheritMaxAge: Boolean) on"
    )
    assert lossy != SUPERGRAPH
    (tmp_path / "supergraph.graphql").write_text(lossy)
    path = tmp_path / "aggregator.yaml"
    path.write_text("supergraph_file: supergraph.graphql\ncache:\n  enabled: true\n")
    with pytest.raises(ConfigError) as info:
        gateway_from_config(load_config(path), lossy)
    message = str(info.value)
    assert message.startswith(
        "aggregator.yaml:3: cache: the supergraph declares @cacheControl non-repeatable"
    )
    assert "Citizen" in message
    assert "LicenceClass" in message
    # without a cache section nothing reads the hints, so nothing is refused
    path.write_text("supergraph_file: supergraph.graphql\n")
    gateway = gateway_from_config(load_config(path), lossy)
    assert gateway.cache is None
