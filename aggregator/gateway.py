"""The request pipeline: operation cache -> plan cache -> execute -> project.

A :class:`Gateway` is immutable once built (one supergraph, one set of
subgraph clients), so hot reload swaps whole gateways and a request always
finishes on the gateway it started with.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import random
import re
import time
from collections.abc import Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import execute
from graphql.execution.values import get_variable_values
from graphql.language import DocumentNode, OperationDefinitionNode, SelectionSetNode
from opentelemetry import propagate, trace

from aggregator.caching import CacheSetup, ResponsePolicy, SupergraphCache, partition_for
from aggregator.caching.request import RequestCache
from aggregator.document_workers import DocumentWorkers
from aggregator.errors import ErrorCode, graphql_error
from aggregator.execution.executor import ExecutionResult, SubgraphHeaders, execute_plan
from aggregator.execution.projection import Projector, project
from aggregator.observability import SPAN_EXECUTE, SPAN_PLAN, tracer, tracing_enabled
from aggregator.observability.metrics import metrics
from aggregator.observability.request_record import note_span
from aggregator.offload import offload
from aggregator.operation import (
    DocumentCache,
    DocumentPolicy,
    OperationInfo,
    ParsedDocument,
    RequestError,
    located_error,
    plan_bytes,
)
from aggregator.planning import (
    NormalizedOperation,
    PlannedOperation,
    PlanningError,
    QueryPlan,
    normalize_operation,
    plan_normalized,
)
from aggregator.planning.errors import OperationTooComplex
from aggregator.security.authorization import (
    AuthorizationOptions,
    Authorizer,
    Disclosure,
    Outcome,
)
from aggregator.security.cost import CostModel, CostPolicy, cost_error
from aggregator.security.identity import Identity
from aggregator.security.propagation import HeaderPropagation
from aggregator.security.requirements import Atom
from aggregator.security.rewrite import Analysis
from aggregator.supergraph import Supergraph, SupergraphError, load
from aggregator.transport.base import Subgraph
from aggregator.transport.caller import CALLER, caller_digest
from aggregator.transport.factory import subgraph_clients
from aggregator.transport.http import HttpSubgraphOptions

__all__ = ["Gateway", "GatewayOptions", "RequestError"]

_PERCENT = re.compile(r"percent\((\d+(?:\.\d+)?)\)")

log = logging.getLogger("aggregator.authorization")
gateway_log = logging.getLogger("aggregator.gateway")

# subgraph answers larger than this are projected into the client's shape off the event loop
PROJECT_OFF_LOOP_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class GatewayOptions:
    # limits, introspection and suggestions for client documents, and the byte-bounded cache
    # of parsed documents with their plans
    documents: DocumentPolicy = field(default_factory=DocumentPolicy)
    subgraph_timeout_s: float = 30.0
    subgraph_headers: Mapping[str, str] | None = None
    # request headers copied to every subgraph request (lower-case names)
    propagate_headers: tuple[str, ...] = ()
    # per-subgraph header rules and internal tokens (None: just propagate_headers)
    headers: HeaderPropagation | None = None
    # custom progressive @override labels to treat as active (percent(x) labels draw per request)
    override_labels: frozenset[str] = frozenset()
    # how the supergraph's authorization directives are enforced (always: filter by default)
    authorization: AuthorizationOptions = field(default_factory=AuthorizationOptions)
    # the resolver cache and response cache headers (None: neither; docs/caching.md)
    cache: CacheSetup | None = None
    # demand control from @cost/@listSize (None: no estimate)
    cost: CostPolicy | None = None


@dataclass(slots=True)
class Prepared:
    info: OperationInfo
    variables: dict[str, Any]
    # the document as received (the disclosure log records its hash)
    query: str = ""
    # the client asked for the cost estimate in the response (``extensions.cost``)
    report_cost: bool = False


@dataclass(slots=True)
class CompiledOperation:
    planned: PlannedOperation
    projector: Projector
    # the authorization outcome this plan was made for (None: the operation touches nothing)
    authorization: Outcome | None = None


@dataclass(frozen=True, slots=True)
class _Normalized:
    operation: NormalizedOperation
    analysis: Analysis | None


class Gateway:
    def __init__(
        self,
        supergraph: Supergraph,
        subgraphs: Mapping[str, Subgraph],
        options: GatewayOptions | None = None,
    ) -> None:
        self.supergraph = supergraph
        self.subgraphs = dict(subgraphs)
        self.options = options or GatewayOptions()
        self._labels = supergraph.model.override_labels
        self._percent_labels = {
            label: float(match.group(1))
            for label in self._labels
            if (match := _PERCENT.fullmatch(label)) is not None
        }
        self._random = random.Random()
        self.documents = DocumentCache(supergraph.api_schema, self.options.documents)
        self._cost_model: CostModel | None = None
        self._workers: DocumentWorkers | None = None
        self.headers = self.options.headers or HeaderPropagation.from_names(
            self.options.propagate_headers
        )
        # None when the supergraph has nothing to enforce: such operations pay nothing
        self.authorizer = Authorizer.for_supergraph(supergraph, self.options.authorization)
        self.cache = (
            SupergraphCache(
                self.options.cache,
                supergraph,
                # masked values are cached per subject, never under a shared key
                sensitive=self.authorizer.sensitive_coordinates()
                if self.authorizer is not None
                else frozenset(),
            )
            if self.options.cache
            else None
        )

    @classmethod
    def from_supergraph_sdl(
        cls,
        sdl: str,
        *,
        subgraph_urls: Mapping[str, str] | None = None,
        subgraphs: Mapping[str, Subgraph] | None = None,
        options: GatewayOptions | None = None,
    ) -> Gateway:
        return cls.from_supergraph(
            load(sdl), subgraph_urls=subgraph_urls, subgraphs=subgraphs, options=options
        )

    @classmethod
    def from_supergraph(
        cls,
        supergraph: Supergraph,
        *,
        subgraph_urls: Mapping[str, str] | None = None,
        subgraphs: Mapping[str, Subgraph] | None = None,
        options: GatewayOptions | None = None,
    ) -> Gateway:
        options = options or GatewayOptions()
        defaults = HttpSubgraphOptions(
            timeout_s=options.subgraph_timeout_s, headers=dict(options.subgraph_headers or {})
        )
        clients = subgraph_clients(supergraph.model, urls=subgraph_urls, defaults=defaults)
        # clients the caller built itself (in-process, or a test's) replace the HTTP ones
        known = supergraph.model.subgraphs
        clients.update({n: c for n, c in (subgraphs or {}).items() if n in known})
        return cls(supergraph, clients, options)

    def require_every_subgraph(self) -> None:
        """Refuse to serve a supergraph some of whose subgraphs have no client (fail closed:
        a gateway that cannot reach a subgraph must not report ready and fail every request)."""
        for name, info in self.supergraph.model.subgraphs.items():
            if name in self.subgraphs:
                continue
            if info.url.startswith("inprocess://"):
                raise SupergraphError(
                    f"subgraph '{name}' runs inside the gateway ({info.url}); serve this "
                    f"supergraph with --config and a subgraphs entry '{name}' "
                    "(python: or connector:)"
                )
            raise SupergraphError(f"subgraph '{name}' has no URL to send requests to")

    @property
    def api_schema(self) -> Any:
        return self.supergraph.api_schema

    # ------------------------------------------------------------- pipeline
    def prepare(
        self, query: str, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> Prepared:
        info = self.documents.operation(query, operation_name)
        raw = dict(variables or {})
        coerced = get_variable_values(
            self.supergraph.api_schema,
            info.operation.variable_definitions or (),
            raw,
            hide_suggestions=not self.options.documents.suggestions,
        )
        if isinstance(coerced, list):
            raise RequestError([located_error(e, ErrorCode.BAD_USER_INPUT, raw) for e in coerced])
        return Prepared(info, coerced.coerced, query)

    async def prepare_async(
        self, query: str, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> Prepared:
        """:meth:`prepare`, with a large uncached document parsed and validated off the loop."""
        documents = self.documents
        if len(query) > documents.policy.offload_chars and documents.cached(query) is None:
            parsed = None
            if documents.policy.processes > 0:
                try:
                    errors, measure, valid = await self.document_workers().check(query)
                except (BrokenProcessPool, RuntimeError, OSError):
                    # a worker died (killed, out of memory) or could not be started (it
                    # starts with the first large document): start new ones for the next
                    # document, and check this one here
                    gateway_log.exception("document worker process failed; restarting it")
                    self._close_workers()
                else:
                    if valid:
                        parsed = await offload(documents.checked, query, measure)
                    else:
                        parsed = ParsedDocument(None, errors, measure=measure)
            if parsed is None:
                parsed = await offload(documents.compute, query)
            documents.store(query, parsed)
        return self.prepare(query, operation_name, variables)

    def document_workers(self) -> DocumentWorkers:
        if self._workers is None:
            documents = self.options.documents
            self._workers = DocumentWorkers(self.supergraph.sdl, documents, documents.processes)
        return self._workers

    def estimate_cost(self, prepared: Prepared) -> int | None:
        """The operation's static cost (cached per list-sizing variable values); raises
        :class:`RequestError` when it is over ``cost.max_cost``."""
        policy = self.options.cost
        if policy is None:
            return None
        info = prepared.info
        model = self._cost_model
        if model is None:
            supergraph = self.supergraph
            model = self._cost_model = CostModel.from_supergraph(
                supergraph.document, supergraph.links, supergraph.api_schema
            )
        names = info.costs.get(None)
        if names is None:
            names = info.costs[None] = model.slicing_variables(info.document)
        key = tuple(repr(prepared.variables.get(name)) for name in names)
        estimate: int | None = info.costs.get(key)
        if estimate is None:
            estimate = info.costs[key] = model.estimate(
                info.document, info.operation, prepared.variables, policy
            )
        if policy.max_cost is not None and estimate > policy.max_cost:
            raise RequestError([cost_error(estimate, policy.max_cost)])
        return estimate

    def active_labels(self) -> frozenset[str]:
        """Progressive @override labels in force for one request.

        ``percent(x)`` is active for x% of requests, drawn per request; any other label
        is active only when the gateway's options turn it on.
        """
        if not self._labels:
            return frozenset()
        active = set(self._labels & self.options.override_labels)
        for label, percent in self._percent_labels.items():
            if self._random.random() * 100 < percent:
                active.add(label)
        return frozenset(active)

    def plan_key(
        self,
        info: OperationInfo,
        variables: Mapping[str, Any],
        granted: frozenset[Atom] | None = None,
    ) -> tuple[tuple[bool, ...], frozenset[str], frozenset[Atom] | None]:
        """Plans are cached by @skip/@include values, active override labels and (for an
        operation that touches authorization requirements) granted requirements; never by
        who asks."""
        labels = self.active_labels()
        conditions = tuple(variables.get(name) is True for name in info.conditions)
        return conditions, labels, granted

    def compiled(
        self,
        info: OperationInfo,
        variables: Mapping[str, Any],
        granted: frozenset[Atom] | None = None,
    ) -> CompiledOperation:
        key = self.plan_key(info, variables, granted)
        cached = self._cached_plan(info, key)
        if cached is not None:
            return cached
        compiled = self.compile(info, key)
        self.documents.account(info, plan_bytes(info))
        return compiled

    async def compiled_async(
        self,
        info: OperationInfo,
        variables: Mapping[str, Any],
        granted: frozenset[Atom] | None = None,
    ) -> CompiledOperation:
        """:meth:`compiled`, planning a large operation off the event loop."""
        if len(info.query) <= self.options.documents.offload_chars:
            return self.compiled(info, variables, granted)
        key = self.plan_key(info, variables, granted)
        cached = self._cached_plan(info, key)
        if cached is not None:
            return cached
        compiled = await offload(self.compile, info, key)
        # accounted here, on the loop: the document cache is not shared with threads
        self.documents.account(info, plan_bytes(info))
        return compiled

    def _cached_plan(self, info: OperationInfo, key: tuple[Any, ...]) -> CompiledOperation | None:
        cached: CompiledOperation | None = info.plans.get(key)
        if metrics.sinks:
            metrics.cache("plan", cached is not None)
        return cached

    def compile(
        self,
        info: OperationInfo,
        key: tuple[tuple[bool, ...], frozenset[str], frozenset[Atom] | None],
    ) -> CompiledOperation:
        """Plan one operation for one plan key; pure but for ``info.plans``, any thread."""
        conditions, labels, granted = key
        model = self.supergraph.model
        if self._labels:
            model = model.with_active_labels(labels)
        with _planning_errors(), tracer.start_as_current_span(SPAN_PLAN):
            normalized = self._normalized(info, conditions).operation
            outcome: Outcome | None = None
            if granted is not None and self.authorizer is not None:
                outcome = self.authorizer.outcome(normalized, granted)
                rewritten = outcome.rewritten
                planned = plan_normalized(
                    model, replace(normalized, selections=rewritten.project), rewritten.plan
                )
            else:
                planned = plan_normalized(model, normalized)
        compiled = CompiledOperation(planned, Projector(self.supergraph.api_schema), outcome)
        info.plans[key] = compiled
        return compiled

    def _normalized(self, info: OperationInfo, conditions: tuple[bool, ...]) -> _Normalized:
        """The normalised operation (and what authorization it touches), once per conditions."""
        key = ("normalized", conditions)
        cached: _Normalized | None = info.plans.get(key)
        if cached is not None:
            return cached
        condition_values = dict(zip(info.conditions, conditions, strict=True))
        with _planning_errors():
            operation = normalize_operation(
                self.supergraph.model, info.document, info.operation, condition_values
            )
        analysis = self.authorizer.analyse(operation) if self.authorizer is not None else None
        normalized = _Normalized(operation, analysis)
        info.plans[key] = normalized
        return normalized

    async def _authorized(
        self, prepared: Prepared, identity: Identity | None
    ) -> tuple[CompiledOperation, tuple[dict[str, Any], ...]]:
        """The plan for this caller's grants, and errors to add (policies not evaluated)."""
        authorizer = self.authorizer
        assert authorizer is not None
        info = prepared.info
        conditions = tuple(prepared.variables.get(name) is True for name in info.conditions)
        analysis = self._normalized(info, conditions).analysis
        if analysis is None or not analysis.touched:
            return await self.compiled_async(info, prepared.variables), ()
        decision = await authorizer.decide(
            analysis,
            identity,
            operation_name=info.name,
            operation_kind=info.kind,
            variables=prepared.variables,
        )
        compiled = await self.compiled_async(info, prepared.variables, decision.granted)
        outcome = compiled.authorization
        if outcome is not None:
            if outcome.rejection is not None:
                raise RequestError([*outcome.rejection, *decision.errors], status=403)
            if outcome.dry_run_paths:
                log.warning(
                    "authorization dry run: operation %s for %s would withhold %s",
                    info.name or "(anonymous)",
                    identity.subject if identity is not None else "an anonymous caller",
                    ", ".join(outcome.dry_run_paths),
                )
        return compiled, decision.errors

    def plan(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> QueryPlan:
        """The plan for a caller holding every grant (authorization only ever removes)."""
        prepared = self.prepare(query, operation_name, variables)
        return self.compiled(prepared.info, prepared.variables).planned.plan

    async def run(
        self,
        prepared: Prepared,
        headers: Mapping[str, str] | None = None,
        identity: Identity | None = None,
        policy: ResponsePolicy | None = None,
    ) -> dict[str, Any]:
        """Authorize, plan (cached), execute and project one operation for one caller.

        In-process subgraphs bind what they mint for the caller (page cursors) to
        :data:`~aggregator.transport.caller.CALLER`, set here for the operation.
        """
        token = CALLER.set(
            caller_digest(identity.issuer, identity.subject, identity.agency)
            if identity is not None
            else ""
        )
        try:
            return await self._run(prepared, headers, identity, policy)
        finally:
            CALLER.reset(token)

    async def _run(
        self,
        prepared: Prepared,
        headers: Mapping[str, str] | None,
        identity: Identity | None,
        policy: ResponsePolicy | None,
    ) -> dict[str, Any]:
        """:meth:`run` for one caller, once the caller is bound.

        ``identity`` is the authenticated caller (``None``: anonymous); authorization
        decides from it what the plan may fetch and what the response may show.
        ``policy`` (from :meth:`response_policy`) collects the cache policy of
        everything the response includes.
        """
        estimate = self.estimate_cost(prepared)
        if self.authorizer is None:
            compiled = await self.compiled_async(prepared.info, prepared.variables)
            extra_errors: tuple[dict[str, Any], ...] = ()
        else:
            compiled, extra_errors = await self._authorized(prepared, identity)
        planned = compiled.planned
        forwarded = self.headers.for_request(headers, identity)
        request_cache = None
        if self.cache is not None and (self.cache.enabled or policy is not None):
            request_cache = self.cache.request(partition_for(identity), policy, headers)
            if planned.introspection_keys:
                request_cache.policy.mark_uncacheable()
            else:
                operation = self.cache.operation_key(prepared.info, compiled, prepared.variables)
                cached = await request_cache.cached_response(operation, prepared.info.kind)
                if cached is not None:
                    # a release from the cache is still a release: it is recorded the same way
                    await self._disclose(prepared, identity, compiled)
                    return self._with_cost(cached, prepared, estimate)
        if not tracing_enabled() and not (headers and "traceparent" in headers):
            # no tracer provider and no client trace to continue: no span objects at all
            response = await self._execute(
                compiled, prepared, identity, forwarded, request_cache, extra_errors
            )
            return self._with_cost(response, prepared, estimate)
        with tracer.start_as_current_span(
            SPAN_EXECUTE,
            # continue the client's trace only when it sent one (extract costs on every call)
            context=propagate.extract(headers) if headers and "traceparent" in headers else None,
            attributes={
                "graphql.operation.type": prepared.info.kind,
                "graphql.operation.name": prepared.info.name or "",
            },
        ) as span:
            note_span(span)
            response = await self._execute(
                compiled, prepared, identity, forwarded, request_cache, extra_errors
            )
        return self._with_cost(response, prepared, estimate)

    def _with_cost(
        self, response: dict[str, Any], prepared: Prepared, estimate: int | None
    ) -> dict[str, Any]:
        """The demand-control estimate in ``extensions.cost`` when the client asked for it."""
        cost = self.options.cost
        if prepared.report_cost and estimate is not None and cost is not None and cost.expose:
            response = dict(response)  # a cached response is never changed in place
            extensions = dict(response.get("extensions") or {})
            extensions["cost"] = {"estimated": estimate, "max": cost.max_cost}
            response["extensions"] = extensions
        return response

    async def _execute(
        self,
        compiled: CompiledOperation,
        prepared: Prepared,
        identity: Identity | None,
        forwarded: SubgraphHeaders,
        request_cache: RequestCache | None,
        extra_errors: tuple[dict[str, Any], ...],
    ) -> dict[str, Any]:
        """Fetch, project, store in the cache and record the release: the operation's work."""
        result = await execute_plan(
            compiled.planned.plan, self.subgraphs, prepared.variables, forwarded, request_cache
        )
        if extra_errors:
            result.errors.extend(extra_errors)
        if (
            result.response_bytes > PROJECT_OFF_LOOP_BYTES
            or len(prepared.info.query) > self.options.documents.offload_chars
        ):  # projection is one Python pass over every value: tens of ms for large results
            response = await offload(self._complete, compiled, prepared, result)
        else:
            response = self._complete(compiled, prepared, result)
        if request_cache is not None:
            request_cache.store_response(response)
            await request_cache.finish()
        await self._disclose(prepared, identity, compiled)
        return response

    async def _disclose(
        self, prepared: Prepared, identity: Identity | None, compiled: CompiledOperation
    ) -> None:
        """Hand what this operation released to the disclosure hook (the disclosure log)."""
        outcome = compiled.authorization
        if outcome is None or not outcome.rewritten.released:
            return
        assert self.authorizer is not None
        hook = self.authorizer.on_disclosure
        if hook is None:
            return
        context = trace.get_current_span().get_span_context()
        rewritten = outcome.rewritten
        disclosure = Disclosure(
            time=time.time(),
            subject=identity.subject if identity else None,
            issuer=identity.issuer if identity else None,
            agency=identity.agency if identity else None,
            purpose=identity.purpose if identity else None,
            operation_name=prepared.info.name,
            operation_hash=hashlib.sha256(prepared.query.encode()).hexdigest(),
            coordinates=tuple(sorted(rewritten.released)),
            sensitive=tuple(sorted(rewritten.sensitive)),
            masked=tuple(sorted(rewritten.masked)),
            subgraphs=tuple(sorted({f.service_name for f in compiled.planned.plan.fetches()})),
            trace_id=format(context.trace_id, "032x") if context.is_valid else None,
        )
        recorded = hook(disclosure)
        if inspect.isawaitable(recorded):
            await recorded

    def _complete(
        self, compiled: CompiledOperation, prepared: Prepared, result: ExecutionResult
    ) -> dict[str, Any]:
        planned = compiled.planned
        root_values: dict[str, Any] = {}
        errors = result.errors
        if planned.introspection_keys:
            root_values, introspection_errors = self._introspect(prepared, planned)
            errors.extend(introspection_errors)
        data, value_completion = project(
            compiled.projector,
            planned.selections,
            planned.root_type,
            result.data,
            errors,
            root_values,
        )
        response: dict[str, Any] = {}
        if errors:
            response["errors"] = errors
        response["data"] = data
        if value_completion:
            response["extensions"] = {"valueCompletion": value_completion}
        return response

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        headers: Mapping[str, str] | None = None,
        identity: Identity | None = None,
    ) -> dict[str, Any]:
        try:
            prepared = await self.prepare_async(query, operation_name, variables)
            return await self.run(prepared, headers, identity)
        except RequestError as exc:
            return {"errors": exc.errors}

    def _introspect(
        self, prepared: Prepared, planned: PlannedOperation
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        info = prepared.info
        operation = info.operation
        selections = tuple(
            s
            for s in operation.selection_set.selections
            if getattr(getattr(s, "name", None), "value", None) in ("__schema", "__type")
        )
        only = OperationDefinitionNode(
            operation=operation.operation,
            name=operation.name,
            variable_definitions=operation.variable_definitions,
            directives=operation.directives,
            selection_set=SelectionSetNode(selections=selections),
        )
        document = DocumentNode(
            definitions=tuple(
                only if d is operation else d
                for d in info.document.definitions
                if d is operation or not isinstance(d, OperationDefinitionNode)
            )
        )
        result = execute(
            self.supergraph.api_schema,
            document,
            variable_values=prepared.variables,
            operation_name=info.name,
        )
        assert not hasattr(result, "__await__")
        data = result.data or {}
        errors: list[dict[str, Any]] = [dict(e.formatted) for e in result.errors or ()]
        return {k: v for k, v in data.items() if k in planned.introspection_keys}, errors

    def response_policy(self) -> ResponsePolicy | None:
        """A collector for one response's Cache-Control (None: the gateway sends none)."""
        cache = self.cache
        return ResponsePolicy() if cache is not None and cache.config.response_headers else None

    def _close_workers(self) -> None:
        workers, self._workers = self._workers, None
        if workers is not None:
            workers.close()

    async def close(self) -> None:
        self._close_workers()
        for subgraph in self.subgraphs.values():
            await subgraph.close()
        if self.authorizer is not None:
            await self.authorizer.close()
        if self.cache is not None:
            await self.cache.close()


@contextmanager
def _planning_errors() -> Iterator[None]:
    try:
        yield
    except OperationTooComplex as exc:
        raise RequestError([graphql_error(str(exc), ErrorCode.GRAPHQL_VALIDATION_FAILED)]) from exc
    except PlanningError as exc:
        raise RequestError(
            [graphql_error(str(exc), ErrorCode.QUERY_PLANNING_FAILED)], status=500
        ) from exc
