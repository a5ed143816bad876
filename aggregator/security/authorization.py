"""Authorization at run time: grants per request, modes, policies, disclosure, start-up checks.

The :class:`Authorizer` is built once per supergraph (none at all when the
supergraph has nothing to enforce, so such gateways pay nothing). Per
operation it precomputes which requirements the operation touches
(:func:`~aggregator.security.rewrite.analyse`); per request it evaluates just
those against the caller (scopes and purpose from the :class:`Identity`, all
policies in one engine call) into a small set of granted requirements. The
gateway caches plans by that set, never by the token: two callers with the
same grants share a plan, callers with different grants never do.

Exceptions::

    AuthorizationSetupError (ConfigError)   the gateway cannot enforce what the supergraph asks
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    value_from_ast,
)

from aggregator.config.authorization import AuthorizationConfig, AuthorizationMode
from aggregator.config.errors import ConfigError
from aggregator.errors import ErrorCode, graphql_error
from aggregator.execution.projection import unauthorized_error
from aggregator.observability import SPAN_AUTHORIZE, tracer
from aggregator.planning.planner import NormalizedOperation
from aggregator.security.identity import Identity
from aggregator.security.policies import (
    EmbeddedPolicyEngine,
    OpaPolicyEngine,
    PolicyEngine,
    PolicyError,
    PolicyRequest,
)
from aggregator.security.requirements import AUTHENTICATED, Atom, AuthorizationModel
from aggregator.security.rewrite import Analysis, Rewritten, analyse, rewrite
from aggregator.supergraph import Supergraph

__all__ = [
    "AuthorizationOptions",
    "AuthorizationSetupError",
    "Authorizer",
    "Decision",
    "Disclosure",
    "DisclosureHook",
    "authorization_options",
    "check_enforceable",
    "unauthorized_error",
]

log = logging.getLogger("aggregator.authorization")


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What one operation released that is protected or ``@sensitive``: one disclosure-log
    record's worth. ``coordinates`` were selected and granted (a value may still have come
    back null); ``masked`` were released masked."""

    time: float
    subject: str | None
    issuer: str | None
    agency: str | None
    purpose: str | None
    operation_name: str | None
    operation_hash: str
    coordinates: tuple[str, ...]
    sensitive: tuple[str, ...]
    masked: tuple[str, ...]
    subgraphs: tuple[str, ...]
    trace_id: str | None


# Called once per operation that released protected or sensitive coordinates, before the
# response is returned; an exception fails the request (nothing is released unrecorded).
DisclosureHook = Callable[[Disclosure], "Awaitable[None] | None"]


@dataclass(frozen=True, slots=True)
class AuthorizationOptions:
    """How a gateway enforces the supergraph's authorization directives (always, by default)."""

    mode: AuthorizationMode = AuthorizationMode.FILTER
    policy_engine: PolicyEngine | None = None
    policy_timeout_s: float = 1.0
    on_disclosure: DisclosureHook | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """One request's grants among the requirements its operation touches."""

    granted: frozenset[Atom]
    errors: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """A rewritten operation with what the gateway must do about it in the configured mode."""

    rewritten: Rewritten
    # reject mode: the errors to refuse the operation with (None: go ahead)
    rejection: list[dict[str, Any]] | None = None
    dry_run_paths: tuple[str, ...] = field(default=())


class AuthorizationSetupError(ConfigError):
    """The supergraph asks for authorization this gateway is not set up to enforce."""


class Authorizer:
    def __init__(
        self, model: AuthorizationModel, schema: GraphQLSchema, options: AuthorizationOptions
    ) -> None:
        self.model = model
        self.schema = schema
        self.options = options

    @classmethod
    def for_supergraph(
        cls, supergraph: Supergraph, options: AuthorizationOptions
    ) -> Authorizer | None:
        """The supergraph's authorizer, or ``None`` when it has nothing to enforce."""
        model = AuthorizationModel(supergraph)
        if not model.active:
            return None
        for warning in model.warnings:
            log.warning("authorization: %s", warning)
        return cls(model, supergraph.api_schema, options)

    @property
    def on_disclosure(self) -> DisclosureHook | None:
        return self.options.on_disclosure

    def sensitive_coordinates(self) -> frozenset[str]:
        """``Type.field`` coordinates masked per caller (the cache keeps them per subject)."""
        return self.model.sensitive_coordinates()

    def analyse(self, operation: NormalizedOperation) -> Analysis:
        return analyse(self.model, operation)

    def outcome(self, operation: NormalizedOperation, granted: frozenset[Atom]) -> Outcome:
        mode = self.options.mode
        rewritten = rewrite(
            self.model, operation, granted, remove=mode is not AuthorizationMode.DRY_RUN
        )
        if not rewritten.denied:
            return Outcome(rewritten)
        if mode is AuthorizationMode.REJECT:
            return Outcome(rewritten, [unauthorized_error(list(p)) for p in rewritten.denied])
        if mode is AuthorizationMode.DRY_RUN:
            return Outcome(rewritten, None, tuple("/".join(p) for p in rewritten.denied))
        return Outcome(rewritten)

    async def decide(
        self,
        analysis: Analysis,
        identity: Identity | None,
        *,
        operation_name: str | None,
        operation_kind: str,
        variables: Mapping[str, Any],
    ) -> Decision:
        granted: set[Atom] = set()
        if identity is not None:
            if analysis.authenticated:
                granted.add(AUTHENTICATED)
            held = identity.scopes
            for name, atom in analysis.scopes:
                if name in held:
                    granted.add(atom)
            if identity.purpose in analysis.purposes:
                granted.add(("purpose", identity.purpose))
        errors: tuple[dict[str, Any], ...] = ()
        if analysis.policies:
            policies, errors = await self._policies(
                analysis, identity, operation_name, operation_kind, variables
            )
            granted.update(("policy", p) for p in policies)
        return Decision(frozenset(granted), errors)

    async def _policies(
        self,
        analysis: Analysis,
        identity: Identity | None,
        operation_name: str | None,
        operation_kind: str,
        variables: Mapping[str, Any],
    ) -> tuple[frozenset[str], tuple[dict[str, Any], ...]]:
        engine = self.options.policy_engine
        asked = analysis.policies
        if engine is None:
            reason = "no policy engine is configured"
        else:
            request = PolicyRequest(
                asked,
                self.policy_input(analysis, identity, operation_name, operation_kind, variables),
            )
            try:
                # only the policy engine call is worth a span: the rest is a few set lookups
                with tracer.start_as_current_span(
                    SPAN_AUTHORIZE, attributes={"engine": engine.name}
                ):
                    granted = await asyncio.wait_for(
                        engine.decide(request), self.options.policy_timeout_s
                    )
                return granted, ()
            except TimeoutError:
                reason = (
                    f"the {engine.name} policy engine did not answer within "
                    f"{self.options.policy_timeout_s:g}s"
                )
            except PolicyError as exc:
                reason = str(exc)
            except Exception as exc:  # a policy engine must never fail open
                reason = f"the {engine.name} policy engine failed: {type(exc).__name__}: {exc}"
        log.error(
            "authorization: policies %s denied for operation %s: %s",
            ", ".join(asked),
            operation_name or "(anonymous)",
            reason,
        )
        error = graphql_error(
            "Authorization policies could not be evaluated; the fields that need them were "
            "withheld.",
            ErrorCode.POLICY_EVALUATION_FAILED,
        )
        return frozenset(), (error,)

    def policy_input(
        self,
        analysis: Analysis,
        identity: Identity | None,
        operation_name: str | None,
        operation_kind: str,
        variables: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The document every policy engine is given (docs/security.md shows it)."""
        fields: list[dict[str, Any]] = []
        for site in analysis.policy_sites:
            fields.append(
                {
                    "coordinate": site.coordinate,
                    "arguments": self._arguments(site.parent, site.node, variables),
                    "policies": sorted(site.policies),
                }
            )
        caller: dict[str, Any] = {
            "authenticated": identity is not None,
            "subject": identity.subject if identity else None,
            "issuer": identity.issuer if identity else None,
            "agency": identity.agency if identity else None,
            "purpose": identity.purpose if identity else None,
            "scopes": sorted(identity.scopes) if identity else [],
            "claims": dict(identity.claims) if identity else {},
        }
        return {
            **caller,
            "operation": {"name": operation_name, "type": operation_kind},
            "fields": fields,
        }

    def _arguments(self, parent: str, node: Any, variables: Mapping[str, Any]) -> dict[str, Any]:
        parent_type = self.schema.get_type(parent)
        if node is None or not isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType):
            return {}
        definition = parent_type.fields.get(node.name.value)
        if definition is None:
            return {}
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        out: dict[str, Any] = {}
        for name, argument in definition.args.items():
            value = (
                value_from_ast(given[name], argument.type, dict(variables))
                if name in given
                else Undefined
            )
            if value is Undefined:
                value = argument.default_value
            if value is not Undefined:
                out[name] = value
        return out

    async def close(self) -> None:
        if self.options.policy_engine is not None:
            await self.options.policy_engine.close()


# ----------------------------------------------------------------- start-up checks
def authorization_options(
    config: AuthorizationConfig, on_disclosure: DisclosureHook | None = None
) -> AuthorizationOptions:
    """The gateway options an ``authorization:`` config section asks for."""
    engine: PolicyEngine | None = None
    timeout = 1.0
    policies = config.policies
    if policies is not None:
        timeout = policies.timeout_s
        if policies.engine == "opa":
            engine = OpaPolicyEngine(policies.url, policies.path, headers=policies.headers)
        else:
            engine = EmbeddedPolicyEngine(
                {name: function for name, (_, function) in policies.functions.items()}
            )
    return AuthorizationOptions(config.mode, engine, timeout, on_disclosure)


def check_enforceable(
    supergraph: Supergraph,
    *,
    authentication_configured: bool,
    config: AuthorizationConfig,
    file: str | None = None,
) -> None:
    """Refuse (raise :class:`AuthorizationSetupError`) a supergraph this gateway cannot
    enforce as configured; the message is one line an operator can act on.

    * directives that depend on who the caller is, with no authentication configured
      (``allow_unenforced_directives: true`` acknowledges it: every caller is then
      anonymous and protected fields are always withheld; logged at WARNING);
    * ``@policy`` with no policy engine, or an embedded engine missing a function;
    * an ``@sensitive`` mask the gateway cannot apply.
    """
    model = AuthorizationModel(supergraph)
    if not model.active:
        return
    for problem in model.problems:
        raise AuthorizationSetupError(problem, file=file)
    needs_identity = model.uses_identity()
    if needs_identity and not authentication_configured:
        shown = ", ".join(needs_identity[:3]) + (" ..." if len(needs_identity) > 3 else "")
        if not config.allow_unenforced_directives:
            raise AuthorizationSetupError(
                f"the supergraph restricts who may see {shown} but no authentication is "
                "configured, so every caller would be anonymous; configure authentication, "
                "or set authorization.allow_unenforced_directives: true to serve anyway "
                "(protected fields are then withheld from everyone)",
                file=file,
            )
        log.warning(
            "AUTHORIZATION: the supergraph restricts who may see %s but no authentication is "
            "configured (authorization.allow_unenforced_directives is true): every caller is "
            "anonymous and those fields are withheld from everyone",
            shown,
        )
    policies = model.policy_names()
    if not policies:
        return
    engine = config.policies
    names = ", ".join(sorted(policies))
    if engine is None:
        raise AuthorizationSetupError(
            f"the supergraph uses @policy ({names}) but no policy engine is configured; "
            "set authorization.policies (engine: opa or embedded)",
            file=file,
        )
    if engine.engine == "embedded":
        missing = sorted(policies - set(engine.functions))
        if missing:
            raise AuthorizationSetupError(
                f"the supergraph uses @policy {', '.join(missing)} but "
                "authorization.policies.functions has no function for "
                f"{'it' if len(missing) == 1 else 'them'}",
                file=file,
            )
