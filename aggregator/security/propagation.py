"""Which headers each subgraph request carries, per (caller, subgraph).

Built once per gateway from the config: the subgraph's configured headers
(``subgraphs[].headers``, e.g. a service token), then the rules in order —
``server.propagate_headers`` (shorthand for ``forward`` rules), ``headers.all``,
then the subgraph's own ``headers.subgraphs.NAME``. Per request the gateway
asks for one subgraph's headers; the answer is computed once per request and
subgraph and depends only on that caller's headers and validated identity.

Precedence, the point of this module:

- nothing reaches a subgraph unless a rule (or its configuration) says so;
  ``Authorization`` included;
- a configured header is never replaced by a client's value: rules from the
  shorthand or ``headers.all`` that would write it are skipped for that
  subgraph, and a subgraph's own rule must say ``override: true``;
- with ``override: true`` the header belongs to the caller: their value, or
  none at all (an anonymous request never goes out with the gateway's own
  token where the subgraph wants the caller's);
- the agency and other identity values come from the validated token only.

The result is part of the in-flight dedup key of HTTP subgraphs, so callers
whose headers differ never share a subgraph response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aggregator.config.auth_model import (
    ForwardHeader,
    HeaderRule,
    HeaderRules,
    InsertHeader,
    InternalTokenHeader,
    Origin,
    RemoveHeader,
)
from aggregator.config.headers import IDENTITY_FIELDS
from aggregator.security.identity import Identity

if TYPE_CHECKING:  # signing needs pyjwt and cryptography: loaded only when configured
    from aggregator.security.internal_tokens import InternalTokenSigner

__all__ = ["HeaderPropagation", "SubgraphHeaders"]

log = logging.getLogger("aggregator.security")

SubgraphHeaders = Callable[[str], dict[str, str]]

_MAX_VALUE = 4096


@dataclass(frozen=True, slots=True)
class _Plan:
    static: tuple[tuple[str, str], ...]
    rules: tuple[HeaderRule, ...]
    reads_client: bool


def _claim_value(identity: Identity, claim: str) -> str | None:
    value: object
    if claim in IDENTITY_FIELDS:
        value = " ".join(sorted(identity.scopes)) if claim == "scopes" else getattr(identity, claim)
    else:
        value = identity.claims.get(claim)
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = str(value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = " ".join(value)
    if not isinstance(value, str) or not value or len(value) > _MAX_VALUE:
        return None
    if not value.isascii() or not value.isprintable():
        return None  # never smuggle control characters or non-ASCII into a header
    return value


class HeaderPropagation:
    def __init__(
        self, plans: Mapping[str, _Plan], default: _Plan, signer: InternalTokenSigner | None = None
    ) -> None:
        self.plans = dict(plans)
        self.default = default
        self.signer = signer

    @classmethod
    def from_names(cls, names: Iterable[str]) -> HeaderPropagation:
        """Only the shorthand: forward these client headers to every subgraph."""
        return cls.build(propagate=tuple(names))

    @classmethod
    def build(
        cls,
        *,
        rules: HeaderRules | None = None,
        propagate: tuple[str, ...] = (),
        configured: Mapping[str, Mapping[str, str]] | None = None,
        subgraphs: Iterable[str] = (),
        signer: InternalTokenSigner | None = None,
    ) -> HeaderPropagation:
        """Raises ConfigError (file:line of the rule) for a rule that cannot apply."""
        rules = rules or HeaderRules()
        configured = configured or {}
        names = set(subgraphs) | set(configured)
        for name, own in rules.subgraphs.items():
            if names and name not in names:
                origin = rules.subgraph_origins.get(name, Origin(key=f"headers.subgraphs.{name}"))
                raise origin.error(f"no subgraph named '{name}'")
            if any(isinstance(r, InternalTokenHeader) for r in own) and signer is None:
                raise own[0].origin.error("internal tokens need auth.internal_tokens")
        if signer is None and any(isinstance(r, InternalTokenHeader) for r in rules.all):
            raise rules.all[0].origin.error("internal tokens need auth.internal_tokens")
        shared = (*(ForwardHeader(n.lower()) for n in propagate), *rules.all)
        plans = {
            name: _plan(name, configured.get(name, {}), shared, rules.subgraphs.get(name, ()))
            for name in names | set(rules.subgraphs)
        }
        return cls(plans, _plan("", {}, shared, ()), signer)

    def for_request(
        self, headers: Mapping[str, str] | None, identity: Identity | None
    ) -> SubgraphHeaders:
        """Headers for each subgraph of one request, computed on first use."""
        memo: dict[str, dict[str, str]] = {}
        client: Mapping[str, str] = headers or {}

        def lookup(subgraph: str) -> dict[str, str]:
            found = memo.get(subgraph)
            if found is None:
                plan = self.plans.get(subgraph, self.default)
                found = memo[subgraph] = self._compute(plan, subgraph, client, identity)
            return found

        return lookup

    def _compute(
        self, plan: _Plan, subgraph: str, client: Mapping[str, str], identity: Identity | None
    ) -> dict[str, str]:
        out = dict(plan.static)
        if not plan.rules:
            return out
        if plan.reads_client and any(k != k.lower() for k in client):
            client = {k.lower(): v for k, v in client.items()}
        for rule in plan.rules:
            value: str | None
            match rule:
                case ForwardHeader():
                    value = client.get(rule.name)
                    if value is not None:
                        out[rule.target] = value
                case InsertHeader(value=fixed, claim=claim):
                    value = fixed
                    if claim is not None:
                        value = _claim_value(identity, claim) if identity is not None else None
                    if value is not None:
                        out[rule.name] = value
                case RemoveHeader():
                    out.pop(rule.name, None)
                case InternalTokenHeader():
                    if identity is not None and self.signer is not None:
                        token = self.signer.token_for(identity, rule.audience or subgraph)
                        out[rule.name] = (
                            f"Bearer {token}" if rule.name == "authorization" else token
                        )
        return out


def _plan(
    name: str,
    configured: Mapping[str, str],
    shared: tuple[HeaderRule, ...],
    own: tuple[HeaderRule, ...],
) -> _Plan:
    static = {k.lower(): v for k, v in configured.items()}
    effective: list[HeaderRule] = []
    for rule in shared:
        target = rule.target
        if target in static and not isinstance(rule, RemoveHeader):
            if not getattr(rule, "override", False):
                log.info(
                    "subgraph %s: its configured '%s' header wins over a shared rule", name, target
                )
                continue
            del static[target]
        effective.append(rule)
    for rule in own:
        target = rule.target
        if target in static and not isinstance(rule, RemoveHeader):
            if not getattr(rule, "override", False):
                raise rule.origin.error(
                    f"subgraph '{name}' already sends '{target}' (its 'headers:'); add "
                    "'override: true' to send this rule's value instead, or drop one of the two"
                )
            del static[target]
        effective.append(rule)
    reads_client = any(isinstance(r, ForwardHeader) for r in effective)
    return _Plan(tuple(static.items()), tuple(effective), reads_client)
