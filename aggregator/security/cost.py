"""Demand control: a static cost estimate from ``@cost`` and ``@listSize`` (IBM's cost spec).

Agencies say what is expensive in their own subgraph SDL (``@cost(weight:)`` on types,
fields, arguments and input fields; ``@listSize`` on list fields); composition carries
both into the supergraph (``@link(url: "https://specs.apollo.dev/cost/v0.1")``), and
this module reads them from there. The estimate follows the static analysis that
Apollo Router and Hive Router use, so a weight means the same in every gateway:

- a field costs its own ``@cost``, else its type's ``@cost``, else 1 for an object,
  interface or union and 0 for a scalar or enum (``__typename`` is free);
- each argument given adds its ``@cost`` (and the ``@cost`` of the input fields set);
- a list multiplies the cost of one item (with its selections) by its size: the
  largest slicing argument given (``@listSize(slicingArguments:)``), else
  ``assumedSize``, else the configured ``list_size``; ``sizedFields`` moves that size
  onto the named child fields (connections: ``edges``, ``nodes``);
- a mutation adds 10.

The client's operation is estimated before planning (after authorization would only
lower it). Fragments are costed once per spread context, so the estimate is linear in
the document however fragments multiply; every branch of an abstract selection
counts (an upper bound). Estimates are cached per operation and per value of the
variables that size lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLSchema,
    get_named_type,
    is_composite_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
)
from graphql.language import (
    BooleanValueNode,
    ConstDirectiveNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    IntValueNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from aggregator.errors import ErrorCode, graphql_error
from aggregator.supergraph.links import Links

__all__ = ["CostModel", "CostPolicy", "ListSize", "cost_error"]

MUTATION_COST = 10


@dataclass(frozen=True, slots=True)
class CostPolicy:
    """``max_cost`` None: estimate (for ``extensions.cost``) without refusing anything."""

    max_cost: int | None = None
    # size assumed for a list without @listSize (or without the slicing argument given)
    list_size: int = 10
    # answer ``extensions: {"cost": true}`` requests with the estimate
    expose: bool = True


@dataclass(frozen=True, slots=True)
class ListSize:
    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()
    require_one_slicing_argument: bool = True


@dataclass(slots=True)
class CostModel:
    """The weights of one supergraph, read once from its SDL."""

    schema: GraphQLSchema
    type_weights: dict[str, int] = field(default_factory=dict)
    field_weights: dict[tuple[str, str], int] = field(default_factory=dict)
    argument_weights: dict[tuple[str, str, str], int] = field(default_factory=dict)
    input_field_weights: dict[tuple[str, str], int] = field(default_factory=dict)
    list_sizes: dict[tuple[str, str], ListSize] = field(default_factory=dict)

    @classmethod
    def from_supergraph(
        cls, document: DocumentNode, links: Links, schema: GraphQLSchema
    ) -> CostModel:
        model = cls(schema)
        feature = links.get("cost")
        if feature is None:
            return model
        cost_name = feature.directive("cost")
        list_size_name = feature.directive("listSize")
        for definition in document.definitions:
            name = getattr(getattr(definition, "name", None), "value", None)
            if name is None:
                continue
            directives = getattr(definition, "directives", None) or ()
            if isinstance(
                definition,
                ObjectTypeDefinitionNode
                | ObjectTypeExtensionNode
                | ScalarTypeDefinitionNode
                | ScalarTypeExtensionNode
                | EnumTypeDefinitionNode
                | EnumTypeExtensionNode,
            ):
                weight = _weight(directives, cost_name)
                if weight is not None:
                    model.type_weights[name] = weight
            if isinstance(
                definition,
                ObjectTypeDefinitionNode
                | ObjectTypeExtensionNode
                | InterfaceTypeDefinitionNode
                | InterfaceTypeExtensionNode,
            ):
                for fdef in definition.fields or ():
                    key = (name, fdef.name.value)
                    weight = _weight(fdef.directives, cost_name)
                    if weight is not None:
                        model.field_weights[key] = weight
                    sized = _list_size(fdef.directives, list_size_name)
                    if sized is not None:
                        model.list_sizes[key] = sized
                    for arg in fdef.arguments or ():
                        weight = _weight(arg.directives, cost_name)
                        if weight is not None:
                            model.argument_weights[(*key, arg.name.value)] = weight
            elif isinstance(
                definition, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode
            ):
                for idef in definition.fields or ():
                    weight = _weight(idef.directives, cost_name)
                    if weight is not None:
                        model.input_field_weights[(name, idef.name.value)] = weight
        return model

    def slicing_variables(self, document: DocumentNode) -> tuple[str, ...]:
        """Variables whose values may size a list in the document (an estimate's cache key)."""
        slicing = {a for s in self.list_sizes.values() for a in s.slicing_arguments}
        names: set[str] = set()
        if not slicing:
            return ()
        for node in _fields(document):
            for arg in node.arguments or ():
                if isinstance(arg.value, VariableNode) and arg.name.value in slicing:
                    names.add(arg.value.name.value)
        return tuple(sorted(names))

    def estimate(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        policy: CostPolicy,
    ) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        estimator = _Estimator(self, fragments, variables, policy)
        total = estimator.selection_set(operation.selection_set, root.name, None)
        if operation.operation.value == "mutation":
            total += MUTATION_COST
        return total


def cost_error(estimate: int, maximum: int) -> dict[str, Any]:
    return graphql_error(
        f"The estimated cost of the operation ({estimate}) is over the maximum ({maximum}).",
        ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE,
        extensions={"cost": {"estimated": estimate, "max": maximum}},
    )


def _weight(directives: Any, name: str) -> int | None:
    for directive in directives or ():
        if directive.name.value != name:
            continue
        for arg in directive.arguments or ():
            if arg.name.value == "weight":
                value = arg.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, StringValueNode):  # the IBM draft's String weight
                    try:
                        return int(float(value.value))
                    except ValueError:
                        return None
    return None


def _strings(value: ValueNode | None) -> tuple[str, ...]:
    if isinstance(value, ListValueNode):
        return tuple(v.value for v in value.values if isinstance(v, StringValueNode))
    if isinstance(value, StringValueNode):
        return (value.value,)
    return ()


def _list_size(
    directives: tuple[ConstDirectiveNode, ...] | tuple[DirectiveNode, ...] | None, name: str
) -> ListSize | None:
    for directive in directives or ():
        if directive.name.value != name:
            continue
        args = {a.name.value: a.value for a in directive.arguments or ()}
        assumed = args.get("assumedSize")
        require = args.get("requireOneSlicingArgument")
        return ListSize(
            assumed_size=int(assumed.value) if isinstance(assumed, IntValueNode) else None,
            slicing_arguments=_strings(args.get("slicingArguments")),
            sized_fields=_strings(args.get("sizedFields")),
            require_one_slicing_argument=(
                require.value if isinstance(require, BooleanValueNode) else True
            ),
        )
    return None


def _fields(document: DocumentNode) -> list[FieldNode]:
    out: list[FieldNode] = []
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                out.append(selection)
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
    return out


class _Estimator:
    def __init__(
        self,
        model: CostModel,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        policy: CostPolicy,
    ) -> None:
        self.model = model
        self.fragments = fragments
        self.variables = variables
        self.policy = policy
        self.memo: dict[tuple[str, str, tuple[str, ...] | None, int | None], int] = {}
        self.active: set[str] = set()

    def selection_set(
        self,
        node: SelectionSetNode,
        parent: str,
        sized: tuple[tuple[str, ...], int] | None,
    ) -> int:
        total = 0
        spread: set[str] = set()  # a fragment spread again in one selection set merges away
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                size = None
                if sized is not None and selection.name.value in sized[0]:
                    size = sized[1]
                total += self.field(selection, parent, size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = condition.name.value if condition is not None else parent
                total += self.selection_set(selection.selection_set, inner, sized)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)
                total += self.fragment(selection.name.value, sized)
        return total

    def fragment(self, name: str, sized: tuple[tuple[str, ...], int] | None) -> int:
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return 0
        condition = definition.type_condition.name.value
        key = (name, condition, sized[0] if sized else None, sized[1] if sized else None)
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        self.active.add(name)
        cost = self.selection_set(definition.selection_set, condition, sized)
        self.active.discard(name)
        self.memo[key] = cost
        return cost

    def field(self, node: FieldNode, parent: str, size_override: int | None) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        parent_type = self.model.schema.get_type(parent)
        definition = getattr(parent_type, "fields", {}).get(name)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        model = self.model
        weight = model.field_weights.get((parent, name))
        if weight is None:
            weight = model.type_weights.get(named.name)
        if weight is None:
            weight = 1 if is_composite_type(named) else 0
        arguments = 0
        for arg in node.arguments or ():
            arguments += model.argument_weights.get((parent, name, arg.name.value), 0)
            arg_def = definition.args.get(arg.name.value)
            if arg_def is not None:
                arguments += self.input_cost(arg.value, arg_def.type)
        list_size = model.list_sizes.get((parent, name))
        sized_children: tuple[tuple[str, ...], int] | None = None
        size = self.size(node, list_size) if size_override is None else size_override
        if list_size is not None and list_size.sized_fields:
            sized_children = (list_size.sized_fields, size)
        sub = 0
        if node.selection_set is not None:
            sub = self.selection_set(node.selection_set, named.name, sized_children)
        if _is_list(definition.type) and sized_children is None:
            return arguments + size * (weight + sub)
        if size_override is not None:
            return arguments + size * (weight + sub)
        return arguments + weight + sub

    def size(self, node: FieldNode, list_size: ListSize | None) -> int:
        if list_size is None:
            return self.policy.list_size
        given: list[int] = []
        for arg in node.arguments or ():
            if arg.name.value in list_size.slicing_arguments:
                value = self.literal(arg.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    given.append(value)
        if given:
            return max(given)
        if list_size.assumed_size is not None:
            return list_size.assumed_size
        return self.policy.list_size

    def literal(self, value: ValueNode) -> Any:
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        if isinstance(value, IntValueNode):
            return int(value.value)
        return None

    def input_cost(self, value: ValueNode, type_: Any) -> int:
        while is_non_null_type(type_) or is_list_type(type_):
            type_ = type_.of_type
        if not is_input_object_type(type_):
            return 0
        if isinstance(value, ListValueNode):
            return sum(self.input_cost(v, type_) for v in value.values)
        if not isinstance(value, ObjectValueNode):
            return 0
        total = 0
        for field_node in value.fields:
            field_name = field_node.name.value
            total += self.model.input_field_weights.get((type_.name, field_name), 0)
            field_def = type_.fields.get(field_name)
            if field_def is not None:
                total += self.input_cost(field_node.value, field_def.type)
        return total


def _is_list(type_: Any) -> bool:
    while is_non_null_type(type_):
        type_ = type_.of_type
    return is_list_type(type_)
