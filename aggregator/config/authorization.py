"""The ``authorization:`` section of ``aggregator.yaml``.

::

    authorization:
      mode: filter                  # filter (default) | reject | dry_run
      allow_unenforced_directives: false
      policies:                     # needed when the supergraph uses @policy
        engine: opa                 # opa | embedded
        timeout_s: 1.0
        url: http://127.0.0.1:8181  # opa: the server, and the data path of the decision
        path: aggregator/policies
        headers: {Authorization: "Bearer ${OPA_TOKEN}"}
        functions:                  # embedded: policy name -> module:function
          read_profile: myagency.policies:read_profile

Embedded policy functions are imported while the file is read, so a typo in a
module or function name is reported at its line like any other config error.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml

from aggregator.config.nodes import NodeReader

__all__ = ["AuthorizationConfig", "AuthorizationMode", "PolicyEngineConfig", "read_authorization"]

_KEYS = ("mode", "allow_unenforced_directives", "policies")
_POLICY_KEYS = ("engine", "timeout_s", "url", "path", "headers", "functions")
_OPA_ONLY = ("url", "path", "headers")
_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_DATA_PATH = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class AuthorizationMode(StrEnum):
    FILTER = "filter"  # withhold what the caller may not see, answer the rest
    REJECT = "reject"  # refuse the whole operation if anything would be withheld
    DRY_RUN = "dry_run"  # log what would be withheld, withhold nothing


@dataclass(frozen=True, slots=True)
class PolicyEngineConfig:
    engine: str  # "opa" | "embedded"
    timeout_s: float = 1.0
    url: str = ""
    path: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    # embedded: policy name -> (module:function as written, the function)
    functions: Mapping[str, tuple[str, Callable[..., Any]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuthorizationConfig:
    mode: AuthorizationMode = AuthorizationMode.FILTER
    # serve a supergraph with authorization directives although no authentication is
    # configured (every caller is anonymous, so protected fields are always withheld)
    allow_unenforced_directives: bool = False
    policies: PolicyEngineConfig | None = None


def read_authorization(
    reader: NodeReader, node: yaml.Node, env: Mapping[str, str] | None = None
) -> AuthorizationConfig:
    f = reader.mapping(node, "authorization", _KEYS)
    mode = AuthorizationMode.FILTER
    if "mode" in f:
        text = reader.string(f["mode"][1], "authorization.mode")
        try:
            mode = AuthorizationMode(text)
        except ValueError:
            choices = ", ".join(m.value for m in AuthorizationMode)
            raise reader.error(
                f["mode"][1], "authorization.mode", f"must be one of {choices}, got '{text}'"
            ) from None
    allow = reader.optional(
        f,
        "allow_unenforced_directives",
        lambda n: reader.scalar(
            n, "authorization.allow_unenforced_directives", bool, "true or false"
        ),
        False,
    )
    policies = reader.optional(
        f, "policies", lambda n: _policies(reader, n, os.environ if env is None else env), None
    )
    return AuthorizationConfig(mode=mode, allow_unenforced_directives=allow, policies=policies)


def _policies(reader: NodeReader, node: yaml.Node, env: Mapping[str, str]) -> PolicyEngineConfig:
    key = "authorization.policies"
    f = reader.mapping(node, key, _POLICY_KEYS)
    if "engine" not in f:
        raise reader.error(node, f"{key}.engine", "required key is missing (opa or embedded)")
    engine = reader.string(f["engine"][1], f"{key}.engine")
    if engine not in ("opa", "embedded"):
        raise reader.error(
            f["engine"][1], f"{key}.engine", f"must be opa or embedded, got '{engine}'"
        )
    timeout = reader.optional(f, "timeout_s", lambda n: reader.positive(n, f"{key}.timeout_s"), 1.0)
    if engine == "embedded":
        for name in _OPA_ONLY:
            if name in f:
                raise reader.error(f[name][0], f"{key}.{name}", "only used with engine: opa")
        if "functions" not in f:
            raise reader.error(
                node,
                f"{key}.functions",
                "required with engine: embedded (policy -> module:function)",
            )
        functions = _functions(reader, f["functions"][1], f"{key}.functions")
        return PolicyEngineConfig(engine, timeout, functions=functions)
    if "functions" in f:
        raise reader.error(f["functions"][0], f"{key}.functions", "only used with engine: embedded")
    for required in ("url", "path"):
        if required not in f:
            raise reader.error(node, f"{key}.{required}", "required with engine: opa")
    url = reader.url(f["url"][1], f"{key}.url")
    path = reader.string(f["path"][1], f"{key}.path").strip("/")
    if not _DATA_PATH.match(path):
        raise reader.error(
            f["path"][1],
            f"{key}.path",
            f"expected an OPA data path like 'aggregator/policies', got '{path}'",
        )
    no_headers: dict[str, str] = {}
    headers = reader.optional(
        f, "headers", lambda n: _headers(reader, n, f"{key}.headers", env), no_headers
    )
    return PolicyEngineConfig(engine, timeout, url=url, path=path, headers=headers)


def _functions(
    reader: NodeReader, node: yaml.Node, key: str
) -> dict[str, tuple[str, Callable[..., Any]]]:
    out: dict[str, tuple[str, Callable[..., Any]]] = {}
    for policy, (_, value) in reader.mapping_any(node, key).items():
        where = f"{key}.{policy}"
        target = reader.string(value, where)
        if not _TARGET.match(target):
            raise reader.error(value, where, f"expected 'package.module:function', got '{target}'")
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise reader.error(value, where, f"cannot import {module_name}: {exc}") from exc
        function = getattr(module, attribute, None)
        if not callable(function):
            raise reader.error(value, where, f"{module_name} has no function '{attribute}'")
        out[policy] = (target, function)
    return out


def _headers(
    reader: NodeReader, node: yaml.Node, key: str, env: Mapping[str, str]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, (_, value) in reader.mapping_any(node, key).items():
        where = f"{key}.{name}"
        text = reader.scalar(value, where, str, "a string")

        def expand(match: re.Match[str], node: yaml.Node = value, where: str = where) -> str:
            var = match.group(1)
            if var not in env:
                raise reader.error(node, where, f"environment variable {var} is not set")
            return env[var]

        out[name] = _ENV.sub(expand, text)
    return out
