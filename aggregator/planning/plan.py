"""The query plan: a frozen tagged union, printable and JSON-able.

Field names in :func:`to_json` follow Apollo's (``kind``, ``serviceName``,
``variableUsages``...) so our plans can be diffed against other routers'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import parse, print_ast
from graphql.language import FieldNode, OperationDefinitionNode


@dataclass(frozen=True, slots=True)
class RequiredField:
    """A field copied from a fetched object into an entity representation."""

    name: str
    response_key: str
    sub: tuple[RequiredField, ...] | None = None


@dataclass(frozen=True, slots=True)
class RequiredType:
    type_name: str
    # name sent as __typename (an @interfaceObject subgraph expects the interface name)
    representation_typename: str
    fields: tuple[RequiredField, ...]


@dataclass(frozen=True, slots=True)
class Fetch:
    id: int
    service_name: str
    operation: str
    operation_kind: str
    variable_usages: tuple[str, ...]
    requires: tuple[RequiredType, ...] | None = None
    operation_name: str | None = None
    # pieces of the operation, so the executor can merge entity fetches of one wave
    variable_definitions: tuple[str, ...] = ()
    selection_text: str = ""
    # aliased response keys to map back before merging (see SelSet.renames)
    renames: Any = None


@dataclass(frozen=True, slots=True)
class Flatten:
    path: tuple[str, ...]
    node: Fetch


@dataclass(frozen=True, slots=True)
class Sequence:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    nodes: tuple[PlanNode, ...]


PlanNode = Fetch | Flatten | Sequence | Parallel


@dataclass(frozen=True, slots=True)
class QueryPlan:
    node: PlanNode | None

    def __str__(self) -> str:
        return print_plan(self)

    def fetches(self) -> list[Fetch]:
        found: list[Fetch] = []

        def walk(node: PlanNode | None) -> None:
            match node:
                case Fetch():
                    found.append(node)
                case Flatten(node=inner):
                    walk(inner)
                case Sequence(nodes=nodes) | Parallel(nodes=nodes):
                    for child in nodes:
                        walk(child)

        walk(self.node)
        return found

    def to_json(self) -> dict[str, Any]:
        return {"kind": "QueryPlan", "node": _node_json(self.node)}


def _required_json(fields: tuple[RequiredField, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in fields:
        entry: dict[str, Any] = {"kind": "Field", "name": f.name}
        if f.response_key != f.name:
            entry["alias"] = f.response_key
        if f.sub is not None:
            entry["selections"] = _required_json(f.sub)
        out.append(entry)
    return out


def _node_json(node: PlanNode | None) -> dict[str, Any] | None:
    match node:
        case None:
            return None
        case Fetch():
            out: dict[str, Any] = {
                "kind": "Fetch",
                "serviceName": node.service_name,
                "variableUsages": list(node.variable_usages),
                "operation": node.operation,
                "operationKind": node.operation_kind,
            }
            if node.operation_name:
                out["operationName"] = node.operation_name
            if node.requires is not None:
                out["requires"] = [
                    {
                        "kind": "InlineFragment",
                        "typeCondition": r.type_name,
                        "selections": [
                            {"kind": "Field", "name": "__typename"},
                            *_required_json(r.fields),
                        ],
                    }
                    for r in node.requires
                ]
            return out
        case Flatten():
            return {"kind": "Flatten", "path": list(node.path), "node": _node_json(node.node)}
        case Sequence() | Parallel():
            return {
                "kind": type(node).__name__,
                "nodes": [_node_json(n) for n in node.nodes],
            }


def _indent(text: str, by: int) -> str:
    pad = " " * by
    return "\n".join(pad + line if line else line for line in text.splitlines())


def _required_text(fields: tuple[RequiredField, ...]) -> str:
    parts = []
    for f in fields:
        head = f"{f.response_key}: {f.name}" if f.response_key != f.name else f.name
        parts.append(head + (" " + _required_text(f.sub) if f.sub is not None else ""))
    return "{ " + " ".join(parts) + " }"


def _fetch_text(node: Fetch) -> str:
    operation = parse(node.operation)
    definition = operation.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    lines = [f'Fetch(service: "{node.service_name}") {{']
    if node.requires is not None:
        requires = "\n".join(
            f"  ... on {r.type_name} "
            + _required_text((RequiredField("__typename", "__typename"), *r.fields))
            for r in node.requires
        )
        lines.append("  {\n" + _indent(requires, 2) + "\n  } =>")
        entities = definition.selection_set.selections[0]
        assert isinstance(entities, FieldNode)
        assert entities.selection_set is not None
        lines.append(_indent(print_ast(entities.selection_set), 2))
    else:
        lines.append(_indent(print_ast(definition.selection_set), 2))
    lines.append("}")
    return "\n".join(lines)


def _text(node: PlanNode) -> str:
    match node:
        case Fetch():
            return _fetch_text(node)
        case Flatten():
            path = ".".join(node.path)
            return f'Flatten(path: "{path}") {{\n' + _indent(_text(node.node), 2) + "\n}"
        case Sequence() | Parallel():
            body = ",\n".join(_text(n) for n in node.nodes)
            return f"{type(node).__name__} {{\n" + _indent(body, 2) + "\n}"


def print_plan(plan: QueryPlan) -> str:
    if plan.node is None:
        return "QueryPlan {\n}"
    return "QueryPlan {\n" + _indent(_text(plan.node), 2) + "\n}"
