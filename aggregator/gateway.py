"""The request pipeline: operation cache -> plan cache -> execute -> project.

A :class:`Gateway` is immutable once built (one supergraph, one set of
subgraph clients), so hot reload swaps whole gateways and a request always
finishes on the gateway it started with.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from graphql import execute
from graphql.execution.values import get_variable_values
from graphql.language import DocumentNode, OperationDefinitionNode, SelectionSetNode
from opentelemetry import propagate

from aggregator.document_workers import DocumentWorkers
from aggregator.errors import ErrorCode, graphql_error
from aggregator.execution.executor import ExecutionResult, execute_plan
from aggregator.execution.projection import Projector, project
from aggregator.observability import SPAN_EXECUTE, SPAN_PLAN, tracer
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
from aggregator.planning import PlannedOperation, PlanningError, QueryPlan, plan_operation
from aggregator.planning.normalize import OperationTooComplex
from aggregator.security.cost import CostModel, CostPolicy, cost_error
from aggregator.security.identity import Identity
from aggregator.supergraph import Supergraph, load
from aggregator.transport.base import Subgraph
from aggregator.transport.http import HttpSubgraph, HttpSubgraphOptions

__all__ = ["Gateway", "GatewayOptions", "RequestError"]

log = logging.getLogger("aggregator.gateway")

_PERCENT = re.compile(r"percent\((\d+(?:\.\d+)?)\)")
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
    # custom progressive @override labels to treat as active (percent(x) labels draw per request)
    override_labels: frozenset[str] = frozenset()
    # demand control from @cost/@listSize (None: no estimate)
    cost: CostPolicy | None = None


@dataclass(slots=True)
class Prepared:
    info: OperationInfo
    variables: dict[str, Any]
    # the client asked for the cost estimate in the response (``extensions.cost``)
    report_cost: bool = False


@dataclass(slots=True)
class CompiledOperation:
    planned: PlannedOperation
    projector: Projector


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

    @classmethod
    def from_supergraph_sdl(
        cls,
        sdl: str,
        *,
        subgraph_urls: Mapping[str, str] | None = None,
        subgraphs: Mapping[str, Subgraph] | None = None,
        options: GatewayOptions | None = None,
    ) -> Gateway:
        supergraph = load(sdl)
        options = options or GatewayOptions()
        clients: dict[str, Subgraph] = dict(subgraphs or {})
        urls = dict(subgraph_urls or {})
        http_options = HttpSubgraphOptions(
            timeout_s=options.subgraph_timeout_s, headers=dict(options.subgraph_headers or {})
        )
        for name, info in supergraph.model.subgraphs.items():
            if name in clients:
                continue
            url = urls.get(name, info.url)
            if url:
                clients[name] = HttpSubgraph(name, url, http_options)
        return cls(supergraph, clients, options)

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
        # graphql-core 3.3 wraps the values (with their sources); 3.2 returns the dict
        values: Any = getattr(coerced, "coerced", coerced)
        return Prepared(info, values)

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
                except (BrokenProcessPool, RuntimeError):
                    # a worker died (killed, out of memory): start new ones for the next
                    # document, and check this one here
                    log.exception("document worker process failed; restarting it")
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

    async def warm_up(self) -> None:
        """Start what the first large document would otherwise wait for (worker processes)."""
        if self.options.documents.processes > 0:
            await self.document_workers().start()

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
        self, info: OperationInfo, variables: Mapping[str, Any]
    ) -> tuple[tuple[bool, ...], frozenset[str]]:
        labels = self.active_labels()
        return tuple(variables.get(name) is True for name in info.conditions), labels

    def compiled(self, info: OperationInfo, variables: Mapping[str, Any]) -> CompiledOperation:
        key = self.plan_key(info, variables)
        cached: CompiledOperation | None = info.plans.get(key)
        if cached is not None:
            return cached
        compiled = self.compile(info, key)
        self.documents.account(info, plan_bytes(info))
        return compiled

    async def compiled_async(
        self, info: OperationInfo, variables: Mapping[str, Any]
    ) -> CompiledOperation:
        """:meth:`compiled`, planning a large operation off the event loop."""
        key = self.plan_key(info, variables)
        cached: CompiledOperation | None = info.plans.get(key)
        if cached is not None:
            return cached
        if len(info.query) <= self.options.documents.offload_chars:
            compiled = self.compile(info, key)
        else:
            compiled = await offload(self.compile, info, key)
        self.documents.account(info, plan_bytes(info))
        return compiled

    def compile(
        self, info: OperationInfo, key: tuple[tuple[bool, ...], frozenset[str]]
    ) -> CompiledOperation:
        """Plan one operation for one plan key; pure but for ``info.plans``, any thread."""
        conditions, labels = key
        condition_values = dict(zip(info.conditions, conditions, strict=True))
        model = self.supergraph.model
        if self._labels:
            model = model.with_active_labels(labels)
        try:
            with tracer.start_as_current_span(SPAN_PLAN):
                planned = plan_operation(model, info.document, info.operation, condition_values)
        except OperationTooComplex as exc:
            raise RequestError(
                [graphql_error(str(exc), ErrorCode.GRAPHQL_VALIDATION_FAILED)]
            ) from exc
        except PlanningError as exc:
            raise RequestError(
                [graphql_error(str(exc), ErrorCode.QUERY_PLANNING_FAILED)], status=500
            ) from exc
        compiled = CompiledOperation(planned, Projector(self.supergraph.api_schema))
        info.plans[key] = compiled
        return compiled

    def plan(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> QueryPlan:
        prepared = self.prepare(query, operation_name, variables)
        return self.compiled(prepared.info, prepared.variables).planned.plan

    async def run(
        self,
        prepared: Prepared,
        headers: Mapping[str, str] | None = None,
        identity: Identity | None = None,
    ) -> dict[str, Any]:
        """Plan (cached), execute and project one operation for one caller.

        ``identity`` is the authenticated caller (``None``: anonymous); authorization
        decides from it what the plan may fetch.
        """
        estimate = self.estimate_cost(prepared)
        compiled = await self.compiled_async(prepared.info, prepared.variables)
        planned = compiled.planned
        forwarded = self._forwarded_headers(headers)
        with tracer.start_as_current_span(
            SPAN_EXECUTE,
            # continue the client's trace only when it sent one (extract costs on every call)
            context=propagate.extract(headers) if headers and "traceparent" in headers else None,
            attributes={
                "graphql.operation.type": prepared.info.kind,
                "graphql.operation.name": prepared.info.name or "",
            },
        ):
            result = await execute_plan(planned.plan, self.subgraphs, prepared.variables, forwarded)
            if (
                result.response_bytes > PROJECT_OFF_LOOP_BYTES
                or len(prepared.info.query) > self.options.documents.offload_chars
            ):  # projection is one Python pass over every value: tens of ms for large results
                response = await offload(self._complete, compiled, prepared, result)
            else:
                response = self._complete(compiled, prepared, result)
        cost = self.options.cost
        if prepared.report_cost and estimate is not None and cost is not None and cost.expose:
            response.setdefault("extensions", {})["cost"] = {
                "estimated": estimate,
                "max": cost.max_cost,
            }
        return response

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

    def _forwarded_headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        if not headers or not self.options.propagate_headers:
            return {}
        return {name: headers[name] for name in self.options.propagate_headers if name in headers}

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

    def _close_workers(self) -> None:
        workers, self._workers = self._workers, None
        if workers is not None:
            workers.close()

    async def close(self) -> None:
        self._close_workers()
        for subgraph in self.subgraphs.values():
            await subgraph.close()
