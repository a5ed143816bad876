"""The JSON Schema of aggregator.yaml agrees with the loader, and the examples with both.

What the loader accepts is learned from the loader itself: every section is
read through ``NodeReader.mapping(node, key, allowed)``, so loading the
complete example (docs/examples/aggregator.yaml) while recording those calls
lists every section and its keys. Each must be a closed object in the schema
with at least those properties. A section the example does not use is caught
by the top-level check: every top-level key the loader allows must appear in
the example. To add a section: add it to the example and to the schema.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from aggregator.config import ConfigError, load_config, parse_config
from aggregator.config.env import expand_env
from aggregator.config.nodes import NodeReader
from aggregator.config.validate import config_schema, validate_file, validate_text
from tests.support.gateway_process import run_command

ROOT = Path(__file__).resolve().parents[2]
# between them, the complete examples use every key (supergraph_file excludes a few)
FULL_EXAMPLES = (
    ROOT / "docs" / "examples" / "aggregator.yaml",
    ROOT / "docs" / "examples" / "aggregator-supergraph.yaml",
)
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # without a default
_TOP_KEYS = ("subgraphs", "supergraph_file")


def _is_config(data: Any) -> bool:
    return isinstance(data, dict) and any(key in data for key in _TOP_KEYS)


def example_configs() -> Iterator[tuple[str, str]]:
    """(where, text) of every config in the docs, the README and the test fixtures."""
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
        for index, block in enumerate(blocks):
            if _is_config(yaml.safe_load(block)):
                yield f"{doc.relative_to(ROOT)}#{index}", block
    for file in sorted([*ROOT.glob("docs/**/*.yaml"), *ROOT.glob("tests/**/fixtures/*.yaml")]):
        text = file.read_text(encoding="utf-8")
        if _is_config(yaml.safe_load(text)):
            yield str(file.relative_to(ROOT)), text


def expanded(text: str) -> Any:
    root = yaml.compose(text)
    env = dict.fromkeys(_VARIABLE.findall(text), "https://from-the-environment.invalid")
    expand_env(root, env, "example")
    return yaml.SafeLoader("").construct_document(root)  # type: ignore[no-untyped-call]


EXAMPLES = list(example_configs())


def test_there_are_examples_to_check() -> None:
    wheres = [where for where, _ in EXAMPLES]
    assert "docs/examples/aggregator.yaml" in wheres
    assert any(w.startswith("docs/config.md#") for w in wheres)
    assert any(w.startswith("tests/config/fixtures/") for w in wheres)


@pytest.mark.parametrize(("where", "text"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_every_example_config_validates_against_the_schema(where: str, text: str) -> None:
    validator = Draft202012Validator(config_schema())
    problems = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(expanded(text))
    ]
    assert problems == [], where


def _schema_at(schema: dict[str, Any], key: str) -> dict[str, Any]:
    """The schema object describing the value at a loader key path like subgraphs[0].tls."""
    root = schema

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
        return node

    node = resolve(schema)
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        if part.startswith("["):
            node = resolve(node["items"])
        elif part in node.get("properties", {}):
            node = resolve(node["properties"][part])
        else:  # a name the file chooses, such as headers.subgraphs.NAME
            values = node.get("additionalProperties")
            assert isinstance(values, dict), f"the schema has no '{part}' in {key}"
            node = resolve(values)
    return node


def load_recording(config: Path) -> dict[str, tuple[str, ...]]:
    """Load with the real loader; returns the allowed keys of every section it read."""
    recorded: dict[str, tuple[str, ...]] = {}
    original = NodeReader.mapping

    def recording(self: NodeReader, node: yaml.Node, key: str, allowed: tuple[str, ...]) -> Any:
        recorded[key] = allowed
        return original(self, node, key, allowed)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(NodeReader, "mapping", recording)
        for _ in range(50):  # create each file the example names, as the loader asks for it
            try:
                load_config(config)
                return recorded
            except ConfigError as exc:
                missing = re.match(r"file not found: (.+)$", exc.reason)
                if missing is None:
                    raise
                Path(missing.group(1)).parent.mkdir(parents=True, exist_ok=True)
                Path(missing.group(1)).write_text("", encoding="utf-8")
    raise AssertionError("the example names too many files")


def test_the_schema_knows_every_key_the_loader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: dict[str, tuple[str, ...]] = {}
    example_top: set[str] = set()
    for index, example in enumerate(FULL_EXAMPLES):
        # secrets have no default in the examples: the operator's environment gives them
        for name in _VARIABLE.findall(example.read_text(encoding="utf-8")):
            monkeypatch.setenv(name, "https://from-the-environment.invalid")
        config = tmp_path / str(index) / "aggregator.yaml"
        config.parent.mkdir()
        shutil.copy(example, config)
        recorded.update(load_recording(config))
        example_top |= set(yaml.safe_load(example.read_text(encoding="utf-8")))
        assert validate_file(config) == []  # valid for the command operators run in CI
    assert set(recorded[""]) == example_top, (
        "the complete examples must use every top-level section the loader accepts"
    )
    schema = config_schema()
    for key, allowed in recorded.items():
        section = _schema_at(schema, key)
        assert section.get("additionalProperties") is False, f"{key or '(top)'} must be closed"
        missing = set(allowed) - set(section.get("properties", {}))
        assert not missing, f"the schema lacks {sorted(missing)} in {key or '(top level)'}"
    assert {"", "server", "subgraphs[0]", "subgraphs[0].tls", "observability.metrics",
            "compression", "tls", "example_operations[0]", "audit", "auth.issuers[0]",
            "auth.issuers[0].roles", "auth.jwks_cache", "auth.internal_tokens",
            "headers.all[0]", "authorization.policies", "cache", "cache.redis",
            "cache.subgraphs.tax", "cache.types.Citizen", "limits", "demand_control", "memory",
            "subgraph_defaults", "subgraph_defaults.retry", "subgraph_defaults.circuit_breaker",
            "subgraphs[0].retry", "subgraphs[0].circuit_breaker", "trusted_documents",
            "rate_limits"} <= set(recorded)  # fmt: skip


_BASE = "subgraphs:\n  - name: tax\n    url: http://tax.internal/graphql\n"
_ISSUER = "auth:\n  issuers:\n    - issuer: https://idp.agency.gov\n      audience: portal\n"
_RULE = "headers:\n  all:\n    - "
_OPA = "authorization:\n  policies:\n    engine: opa\n    url: http://opa:8181\n"
_IN_PROCESS = "  - name: identity\n    python: resolvers.identity:schema\n"
_TRUSTED = "trusted_documents:\n  manifests: [k.pem]\n"
# what the loader refuses, and the schema too (as far as JSON Schema can say it)
REFUSED = {
    "two key sources": (
        _ISSUER + "      jwks_url: https://idp.agency.gov/jwks\n      keys: [k.pem]\n",
        "give exactly one key source",
    ),
    "no key source": (_ISSUER, "give exactly one key source"),
    "discovery: false": (_ISSUER + "      discovery: false\n", "must be true when given"),
    "discovery off loopback over http": (
        _ISSUER.replace("https://idp", "http://idp") + "      discovery: true\n",
        "keys must come over https",
    ),
    "jwks over http": (
        _ISSUER + "      jwks_url: http://idp.agency.gov/jwks\n",
        "keys must come over https",
    ),
    "shared-secret algorithm": (
        _ISSUER + "      keys: [k.pem]\n      algorithms: [HS256]\n",
        "shared-secret",
    ),
    "role granting a scope with a space": (
        _ISSUER + "      keys: [k.pem]\n      roles: {claim: roles, scopes: {clerk: 'a b'}}\n",
        "contains a space",
    ),
    "internal token lives too long": (
        "auth:\n  issuers: [{issuer: i, audience: a, keys: [k.pem]}]\n"
        "  internal_tokens: {issuer: g, key_file: k.pem, ttl_s: 7200}\n",
        "must be at most 3600",
    ),
    "two rule kinds": (_RULE + "{forward: x-a, remove: x-b}\n", "give exactly one of forward"),
    "insert with claim and value": (
        _RULE + "{insert: x-a, claim: sub, value: v}\n",
        "give exactly one of 'claim' and 'value'",
    ),
    "a modifier of another kind": (_RULE + "{forward: x-a, to: x-b}\n", "unknown key"),
    "rename without to": (_RULE + "{rename: x-a}\n", "required key is missing"),
    "a header the client owns": (_RULE + "{forward: Content-Length}\n", "HTTP client"),
    "opa without a path": (_OPA, "required with engine: opa"),
    "embedded with a url": (
        _OPA.replace("opa\n", "embedded\n") + "    functions: {}\n",
        "only used with engine: opa",
    ),
    "unknown mode": ("authorization:\n  mode: audit\n", "must be one of filter"),
    "audit without a path": ("audit:\n  fsync: always\n", "required when the disclosure log"),
    "fsync interval without interval": (
        "audit:\n  path: a.log\n  fsync_interval_s: 2\n",
        "only used with 'fsync: interval'",
    ),
    "unknown path placeholder": ("audit:\n  path: a-{user}.log\n", "unknown placeholder"),
    "audit path names a folder": ("audit:\n  path: logs/..\n", "must name a file"),
    "tiny rotation": ("audit:\n  path: a.log\n  rotate_bytes: 10\n", "must be at least 4096"),
    "unknown cache backend": ("cache:\n  backend: memcached\n", "must be 'memory' or 'redis'"),
    "redis backend without redis": ("cache:\n  backend: redis\n", "required when backend"),
    "redis settings for memory": (
        "cache:\n  redis: {url: 'redis://r:6379'}\n",
        "set 'backend: redis' to use Redis",
    ),
    "max_bytes with redis": (
        "cache:\n  backend: redis\n  redis: {url: 'redis://r'}\n  max_bytes: 1GiB\n",
        "bounds the memory backend only",
    ),
    "redis over http": (
        "cache:\n  backend: redis\n  redis: {url: 'http://r:6379'}\n",
        "must start with redis://",
    ),
    "cache below 64 KiB": ("cache:\n  max_bytes: 65KB\n", "must be at least 65536 bytes"),
    "short admin token": ("cache:\n  admin_token: letmein\n", "at least 32 characters"),
    "disabled override with a ttl": (
        "cache:\n  subgraphs:\n    tax: {enabled: false, ttl_s: 5}\n",
        "a disabled entry takes no ttl_s",
    ),
    "disabled type made private": (
        "cache:\n  types:\n    Office: {enabled: false, private: true}\n",
        "a disabled entry takes no ttl_s or private",
    ),
    "cache type that is no type name": (
        "cache:\n  types:\n    Tax-Return: {}\n",
        "not a GraphQL type name",
    ),
    "vary on authorization": (
        "cache:\n  vary_headers: [Authorization]\n",
        "covered by the caller's partition",
    ),
    "vary on no header name": ("cache:\n  vary_headers: ['x y']\n", "not an HTTP header name"),
    "unknown gateway mode": ("mode: staging\n", "must be production or development"),
    "server.apq not a flag": ("server:\n  apq: sometimes\n", "must be true or false"),
    "no concurrency at all": ("server:\n  max_concurrent_requests: 0\n", "integer > 0 or null"),
    "request deadline of zero": ("server:\n  request_timeout_s: 0\n", "greater than 0"),
    "negative document workers": ("server:\n  document_workers: -1\n", "must be >= 0"),
    "limit of zero": ("limits:\n  max_depth: 0\n", "must be an integer > 0 or null"),
    "unknown limit": ("limits:\n  max_height: 3\n", "unknown key"),
    "warn_only not a flag": ("limits:\n  warn_only: 1\n", "must be true or false"),
    "list size turned off": ("demand_control:\n  list_size: null\n", "must be an integer > 0"),
    "document entry above the default budget": (
        "memory:\n  document_max_bytes: 67108865\n",
        "must not be larger than memory.documents_bytes",
    ),
    "document budget below the default entry": (
        "memory:\n  documents_bytes: 1048576\n",
        "must not be larger than memory.documents_bytes",
    ),
    "persisted entry above the default budget": (
        "memory:\n  persisted_query_max_bytes: 16777217\n",
        "must not be larger than memory.persisted_queries_bytes",
    ),
    "persisted budget below the default entry": (
        "memory:\n  persisted_queries_bytes: 262143\n",
        "must not be larger than memory.persisted_queries_bytes",
    ),
    "memory as a size string": ("memory:\n  documents_bytes: 64MiB\n", "must be an integer > 0"),
    "unknown error policy": ("subgraph_defaults:\n  errors: redacted\n", "must be one of"),
    "retry: true": ("subgraph_defaults:\n  retry: true\n", "or false for none"),
    "retry: 'off' quoted": ("subgraph_defaults:\n  retry: 'off'\n", "or false for none"),
    "circuit breaker as a list": (
        "subgraph_defaults:\n  circuit_breaker: [5]\n",
        "or false for none",
    ),
    "retry budget above 1": (
        "subgraph_defaults:\n  retry: {budget_ratio: 1.5}\n",
        "must be between 0 and 1",
    ),
    "negative retries": ("subgraph_defaults:\n  retry: {max_retries: -1}\n", "must be >= 0"),
    "negative backoff": ("subgraph_defaults:\n  retry: {backoff_s: -0.1}\n", "must be >= 0"),
    "unknown retry key": ("subgraph_defaults:\n  retry: {attempts: 3}\n", "unknown key"),
    "breaker that never closes": (
        "subgraph_defaults:\n  circuit_breaker: {open_s: 0}\n",
        "must be > 0",
    ),
    "breaker opening at zero failures": (
        "subgraph_defaults:\n  circuit_breaker: {failure_threshold: 0}\n",
        "must be an integer > 0",
    ),
    "default response limit of zero": (
        "subgraph_defaults:\n  max_response_bytes: 0\n",
        "integer > 0 or null",
    ),
    "retry for an in-process subgraph": (
        _IN_PROCESS + "    retry: false\n",
        "only used with 'url'",
    ),
    "response limit for an in-process subgraph": (
        _IN_PROCESS + "    max_response_bytes: 1024\n",
        "only used with 'url'",
    ),
    "timeout for an in-process subgraph": (
        _IN_PROCESS + "    timeout_s: 3\n",
        "only used with 'url'",
    ),
    "subgraph error policy misspelt": (
        "    errors: pass-through\n",
        "must be one of pass_through",
    ),
    "trusted documents without manifests": (
        "trusted_documents:\n  mode: strict\n",
        "required key is missing",
    ),
    "no manifests": ("trusted_documents:\n  manifests: []\n", "list at least one manifest"),
    "unknown trusted mode": (_TRUSTED + "  mode: audit\n", "must be strict or log_unlisted"),
    "strict trusted documents with apq": (
        "server:\n  apq: true\n" + _TRUSTED,
        "cannot be combined with server.apq",
    ),
    "strict by default with apq": (
        "server:\n  apq: true\n" + _TRUSTED + "  require_id: true\n",
        "cannot be combined with server.apq",
    ),
    "strict trusted documents in development": (
        "mode: development\n" + _TRUSTED + "  mode: strict\n",
        "cannot be combined with server.apq",
    ),
    "unknown rate key": ("rate_limits:\n  key: [subject, user]\n", "must be one of subject"),
    "no rate key": ("rate_limits:\n  key: []\n", "list at least one key kind"),
    "unknown rate store": ("rate_limits:\n  store: memcached\n", "must be memory or redis"),
    "redis rate store without redis": (
        "rate_limits:\n  store: redis\n",
        "the redis store needs server.redis_url",
    ),
    "no refill": ("rate_limits:\n  refill_per_s: 0\n", "greater than 0"),
    "burst of zero": ("rate_limits:\n  capacity: 0\n", "must be an integer > 0"),
}


# what the loader accepts, near what it refuses: the schema accepts it too
ACCEPTED = {
    "apq with listed documents only logged": "server:\n  apq: true\n"
    + _TRUSTED
    + "  mode: log_unlisted\n",
    "development without apq": "mode: development\nserver:\n  apq: false\n" + _TRUSTED,
    "production apq off by default": "mode: production\nserver:\n  introspection: true\n"
    + _TRUSTED,
    "apq on without trusted documents": "mode: development\nserver:\n  apq: true\n",
    "redis rate store with redis": (
        "server:\n  redis_url: redis://r:6379/0\nrate_limits:\n  store: redis\n  key: ip\n"
    ),
    "limits off": (
        "limits:\n  max_depth: null\n  max_tokens: ~\ndemand_control:\n  max_cost: null\n"
    ),
    "no deadline, no cap": (
        "server:\n  request_timeout_s: null\n  max_concurrent_requests: null\n"
        "  document_workers: 0\n"
    ),
    "budgets raised together": (
        "memory:\n  documents_bytes: 4096\n  document_max_bytes: 4096\n"
        "  persisted_queries_bytes: 33554432\n  persisted_query_max_bytes: 33554432\n"
    ),
    "retry: no": "subgraph_defaults:\n  retry: no\n  circuit_breaker: Off\n",
    "retry: FALSE per subgraph": (
        "    retry: FALSE\n    circuit_breaker: false\n    errors: generic\n"
    ),
    "empty retry settings": "subgraph_defaults:\n  retry: {}\n  circuit_breaker: {}\n",
    "errors for an in-process subgraph": _IN_PROCESS + "    errors: message_and_code\n",
    "no response limit": (
        "subgraph_defaults:\n  max_response_bytes: null\n  retry: {budget_ratio: 1}\n"
    ),
}


@pytest.mark.parametrize("section", ACCEPTED.values(), ids=list(ACCEPTED))
def test_what_the_loader_accepts_the_schema_accepts(tmp_path: Path, section: str) -> None:
    (tmp_path / "k.pem").write_text("", encoding="utf-8")
    text = _BASE + section
    parse_config(text, file=tmp_path / "aggregator.yaml", env={})
    assert list(Draft202012Validator(config_schema()).iter_errors(expanded(text))) == []


@pytest.mark.parametrize(("section", "reason"), REFUSED.values(), ids=list(REFUSED))
def test_what_the_loader_refuses_the_schema_refuses(
    tmp_path: Path, section: str, reason: str
) -> None:
    (tmp_path / "k.pem").write_text("", encoding="utf-8")
    text = _BASE + section
    with pytest.raises(ConfigError) as refused:
        parse_config(text, file=tmp_path / "aggregator.yaml", env={})
    assert reason in refused.value.reason
    assert list(Draft202012Validator(config_schema()).iter_errors(expanded(text))) != []


# max_bytes spellings at the 64 KiB bound in every unit: the schema says what the loader says
SIZES = {
    "65536": True, "65535": False, "'65536'": False, "70000.5": True, "'70000 B'": True,
    "64KiB": True, "63.9KiB": False, "65.536KB": True, "65.535kb": False, "0.0625MiB": True,
    "0.0624MiB": False, "0.065536MB": True, "0.065535MB": False, "0.5GiB": True,
    "0.00006103515625GiB": True, "0.00006103515624GiB": False, "0.000065536GB": True,
    "0.000065535GB": False, "1 gib": True, "64 MiB ": True, "2TB": False, "lots": False,
}  # fmt: skip


@pytest.mark.parametrize(("size", "accepted"), SIZES.items(), ids=list(SIZES))
def test_cache_sizes_agree_with_the_loader(tmp_path: Path, size: str, accepted: bool) -> None:
    text = _BASE + f"cache:\n  max_bytes: {size}\n"
    if accepted:
        parse_config(text, file=tmp_path / "aggregator.yaml", env={})
    else:
        with pytest.raises(ConfigError, match=r"cache\.max_bytes"):
            parse_config(text, file=tmp_path / "aggregator.yaml", env={})
    assert Draft202012Validator(config_schema()).is_valid(expanded(text)) is accepted


def test_config_validate_words_cache_mistakes_as_the_loader_does() -> None:
    """Exclusive keys and bounds fail a not/anyOf; errorMessage keeps the line readable."""
    text = _BASE + (
        "cache:\n  redis: {url: 'redis://r:6379'}\n  max_bytes: 65KB\n"
        "  subgraphs:\n    tax: {enabled: false, ttl_s: 5}\n  vary_headers: [Authorization]\n"
        "  admin_token: ${NOPE_TOKEN}\n"
    )
    assert validate_text(text, env={}) == [
        "<config>:5: cache.redis: set 'backend: redis' to use Redis",
        "<config>:6: cache.max_bytes: must be a size of at least 64 KiB, such as 67108864 "
        "or '64MiB'",
        "<config>:8: cache.subgraphs.tax.ttl_s: a disabled entry takes no ttl_s or private",
        "<config>:9: cache.vary_headers[0]: authorization is covered by the caller's partition "
        "already",
        "<config>:10: cache.admin_token: environment variable NOPE_TOKEN is not set",
    ]


def test_config_validate_words_hardening_mistakes_as_the_loader_does() -> None:
    text = (
        _BASE
        + _IN_PROCESS
        + "    retry: {max_retries: 1}\n"
        + (
            "mode: development\nsubgraph_defaults:\n  circuit_breaker: true\n"
            "memory:\n  document_max_bytes: 100000000\n"
            + _TRUSTED
            + "rate_limits:\n  key: [subject, user]\n  store: redis\n"
        )
    )
    assert validate_text(text, env={}) == [
        "<config>:6: subgraphs[1].retry: only used with 'url' (in-process subgraphs make no "
        "HTTP requests of their own)",
        "<config>:9: subgraph_defaults.circuit_breaker: must be a mapping of settings, or false "
        "for none",
        "<config>:11: memory.document_max_bytes: must not be larger than memory.documents_bytes "
        "(67108864)",
        "<config>:12: trusted_documents: strict trusted documents cannot be combined with "
        "server.apq (clients could register any document; development mode turns it on unless "
        "server.apq: false)",
        "<config>:15: rate_limits.key: must be subject, agency, client or ip, or a non-empty "
        "list of them",
        "<config>:16: rate_limits.store: the redis store needs server.redis_url",
    ]


def test_config_validate_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "server:\n  port: ${PORT:-many}\n  grapiql: true\n"
        "subgraphs:\n  - name: a\n    url: ${NOPE_URL}\n    timout_s: 3\n"
        "  - name: b\n    url: http://x/g\n    python: mod:schema\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.yaml"
    good.write_text("subgraphs:\n  - name: a\n    url: ${A_URL:-http://a/graphql}\n")
    done = run_command("config", "validate", str(good), str(bad))
    assert done.code == 2
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        f"{good}: ok",
        "bad.yaml:2: server.port: 'many' is not of type 'integer'",
        "bad.yaml:3: server.grapiql: unknown key (did you mean 'graphiql'?)",
        "bad.yaml:6: subgraphs[0].url: environment variable NOPE_URL is not set",
        "bad.yaml:7: subgraphs[0].timout_s: unknown key (did you mean 'timeout_s'?)",
        "bad.yaml:8: subgraphs[1]: give exactly one of url, python, connector",
    ]
    assert run_command("config", "validate", str(good)).code == 0
    # what only the loader knows (a missing file) is reported too
    missing = tmp_path / "missing.yaml"
    missing.write_text("supergraph_file: nowhere.graphql\n")
    done = run_command("config", "validate", str(missing))
    assert done.code == 2
    assert done.stdout.strip() == (
        f"missing.yaml:1: supergraph_file: file not found: {tmp_path / 'nowhere.graphql'}"
    )
