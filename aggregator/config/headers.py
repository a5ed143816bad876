"""Read the ``headers:`` section: which request headers each subgraph receives.

Rules are checked against the rest of the file so a rule that could never do
what it says stops the load: a rule for a subgraph the config does not list,
an internal token without ``auth.internal_tokens``, a claim without ``auth``,
a header the HTTP client owns (``host``, ``content-length``, ...), and a rule
of one subgraph that writes a header its ``headers:`` already configures
without saying ``override: true`` (a client header never silently replaces a
configured one, such as the gateway's own service token).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

import yaml

from aggregator.config.auth import HEADER_NAME, origin_of
from aggregator.config.auth_model import (
    ForwardHeader,
    HeaderRule,
    HeaderRules,
    InsertHeader,
    InternalTokenHeader,
    Origin,
    RemoveHeader,
)
from aggregator.config.nodes import NodeReader

__all__ = ["IDENTITY_FIELDS", "RESERVED_HEADERS", "read_header_rules"]

_KEYS = ("all", "subgraphs")
_KINDS = ("forward", "rename", "insert", "remove", "internal_token")
_MODIFIERS = {
    "forward": ("override",),
    "rename": ("to", "override"),
    "insert": ("claim", "value", "override"),
    "remove": (),
    "internal_token": ("audience", "override"),
}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# headers the HTTP client or the tracer sets itself; a rule must not fight over them
RESERVED_HEADERS = frozenset({
    "host", "content-length", "content-type", "content-encoding", "transfer-encoding",
    "connection", "keep-alive", "te", "trailer", "upgrade", "expect", "proxy-connection",
    "traceparent", "tracestate",
})  # fmt: skip
# claim names that mean the identity's value after the issuer's claim mapping
IDENTITY_FIELDS = ("subject", "issuer", "agency", "purpose", "scopes")


def read_header_rules(
    reader: NodeReader,
    node: yaml.Node,
    env: Mapping[str, str],
    *,
    configured: Mapping[str, Mapping[str, str]] | None,
    has_auth: bool,
    has_internal_tokens: bool,
) -> HeaderRules:
    """``configured``: subgraph name -> its ``headers:`` (None: names come from a supergraph)."""
    return _HeadersReader(reader, env, configured, has_auth, has_internal_tokens).rules(node)


class _HeadersReader:
    def __init__(
        self,
        reader: NodeReader,
        env: Mapping[str, str],
        configured: Mapping[str, Mapping[str, str]] | None,
        has_auth: bool,
        has_internal_tokens: bool,
    ) -> None:
        self.r = reader
        self.env = env
        self.configured = configured
        self.has_auth = has_auth
        self.has_internal_tokens = has_internal_tokens

    def rules(self, node: yaml.Node) -> HeaderRules:
        r = self.r
        f = r.mapping(node, "headers", _KEYS)
        none: tuple[HeaderRule, ...] = ()
        common = r.optional(f, "all", lambda n: self.rule_list(n, "headers.all", None), none)
        per: dict[str, tuple[HeaderRule, ...]] = {}
        origins: dict[str, Origin] = {}
        if "subgraphs" in f:
            for name, (key_node, value) in r.mapping_any(
                f["subgraphs"][1], "headers.subgraphs"
            ).items():
                key = f"headers.subgraphs.{name}"
                if self.configured is not None and name not in self.configured:
                    hint = difflib.get_close_matches(name, list(self.configured), n=1)
                    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise r.error(key_node, key, f"no subgraph named '{name}'{suggestion}")
                per[name] = self.rule_list(value, key, name)
                origins[name] = origin_of(r, key_node, key)
        return HeaderRules(all=common, subgraphs=per, subgraph_origins=origins)

    def rule_list(self, node: yaml.Node, key: str, subgraph: str | None) -> tuple[HeaderRule, ...]:
        return tuple(
            self.rule(item, f"{key}[{i}]", subgraph)
            for i, item in enumerate(self.r.items(node, key))
        )

    def name(self, node: yaml.Node, key: str) -> str:
        name = self.r.string(node, key)
        if not HEADER_NAME.match(name):
            raise self.r.error(node, key, "not a valid HTTP header name")
        lowered = name.lower()
        if lowered in RESERVED_HEADERS:
            raise self.r.error(
                node,
                key,
                f"'{lowered}' is set by the gateway's HTTP client "
                "or tracer; rules cannot change it",
            )
        return lowered

    def rule(self, node: yaml.Node, key: str, subgraph: str | None) -> HeaderRule:
        r = self.r
        if not isinstance(node, yaml.MappingNode):
            raise r.error(node, key, "a rule is a mapping such as {forward: accept-language}")
        names = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        kinds = [n for n in names if n in _KINDS]
        if not kinds:
            r.mapping(node, key, _KINDS)  # names the unknown key, with a did-you-mean
        if len(kinds) != 1:
            raise r.error(node, key, "give exactly one of " + ", ".join(_KINDS))
        kind = kinds[0]
        f = r.mapping(node, key, (kind, *_MODIFIERS[kind]))
        where = f"{key}.{kind}"
        origin = origin_of(r, node, key)
        override = r.optional(
            f, "override", lambda n: r.scalar(n, f"{key}.override", bool, "true or false"), False
        )
        rule: HeaderRule
        if kind in ("forward", "rename"):
            target = None
            if kind == "rename":
                if "to" not in f:
                    raise r.error(node, f"{key}.to", "required key is missing")
                target = self.name(f["to"][1], f"{key}.to")
            rule = ForwardHeader(self.name(f[kind][1], where), target, override, origin)
        elif kind == "insert":
            rule = self.insert(f, key, override, origin)
        elif kind == "remove":
            rule = RemoveHeader(self.name(f[kind][1], where), origin)
        else:
            if not self.has_internal_tokens:
                raise r.error(
                    f[kind][0], where, "needs auth.internal_tokens (the gateway's signing key)"
                )
            audience = r.optional(f, "audience", lambda n: r.string(n, f"{key}.audience"), None)
            rule = InternalTokenHeader(self.name(f[kind][1], where), audience, override, origin)
        self.check_configured(rule, subgraph, f[kind][0], where)
        return rule

    def insert(
        self, f: dict[str, tuple[yaml.Node, yaml.Node]], key: str, override: bool, origin: Origin
    ) -> InsertHeader:
        r = self.r
        if ("claim" in f) == ("value" in f):
            raise r.error(f["insert"][0], key, "give exactly one of 'claim' and 'value'")
        name = self.name(f["insert"][1], f"{key}.insert")
        if "claim" in f:
            if not self.has_auth:
                raise r.error(
                    f["claim"][0],
                    f"{key}.claim",
                    "claims come from validated tokens: configure 'auth' first",
                )
            return InsertHeader(
                name,
                claim=r.string(f["claim"][1], f"{key}.claim"),
                override=override,
                origin=origin,
            )
        value_node = f["value"][1]
        raw = r.scalar(value_node, f"{key}.value", str, "a string")

        def expand(match: re.Match[str]) -> str:
            if match.group(1) not in self.env:
                raise r.error(
                    value_node, f"{key}.value", f"environment variable {match.group(1)} is not set"
                )
            return self.env[match.group(1)]

        value = _ENV.sub(expand, raw)
        if any(ord(c) < 0x20 or ord(c) > 0x7E for c in value):
            raise r.error(value_node, f"{key}.value", "header values must be printable ASCII")
        return InsertHeader(name, value=value, override=override, origin=origin)

    def check_configured(
        self, rule: HeaderRule, subgraph: str | None, node: yaml.Node, where: str
    ) -> None:
        """A subgraph's own rule may not silently lose to (or replace) its configured header."""
        if subgraph is None or self.configured is None or isinstance(rule, RemoveHeader):
            return
        configured = {name.lower() for name in self.configured.get(subgraph, {})}
        if rule.target in configured and not rule.override:
            raise self.r.error(
                node,
                where,
                f"subgraph '{subgraph}' already sends '{rule.target}' (its 'headers:'); add "
                "'override: true' to send this rule's value instead (and no "
                f"'{rule.target}' at all when the rule has none), or drop one of the two",
            )
