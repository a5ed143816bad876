"""Merged subgraph data -> the client's response, in one pass.

This is GraphQL value completion over data that is already fetched: only the
client's response keys survive (planner-added keys and ``__typename`` vanish),
abstract values take the fragments of their runtime ``__typename``, and a null
in a non-null position nulls the nearest nullable parent with an error at the
client's path. Field lists per (selection set, runtime type) are computed once
per planned operation and reused by every request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_abstract_type,
    is_leaf_type,
)

from aggregator.errors import ErrorCode, graphql_error
from aggregator.planning.normalize import NField, NFragment, NSelection, merge

if TYPE_CHECKING:
    from aggregator.execution.projection_code import Compiled

_INVALID = object()
# how many fields one planned operation's projection compiles into Python functions:
# compiling costs about 50 µs and 640 bytes per field, so an operation with thousands of
# fields would hold the event loop and the document cache's memory for little gain; the
# rest of its objects go through the general completion (same results, more calls)
COMPILE_BUDGET_FIELDS = 256

# How a field is completed, decided once per (selection set, type) so the per-request loop
# handles the common cases (leaves) without calling into the generic completion.
# The last three only occur where authorization marked the tree: a withheld field (null
# and an error), an object whose type a withheld fragment matched (an error), a masked leaf.
TYPENAME, LEAF, NON_NULL_LEAF, GENERIC, NOT_IN_SCHEMA, DENIED, DENIED_TYPE, MASKED = range(8)

# (response key, field name, kind, field type, sub-selections; the mask for MASKED)
Entry = tuple[str, str, int, GraphQLOutputType | None, Any]


def _kind(name: str, field_type: GraphQLOutputType | None) -> int:
    if name == "__typename":
        return TYPENAME
    if field_type is None:
        return NOT_IN_SCHEMA
    if isinstance(field_type, GraphQLNonNull):
        inner = field_type.of_type
        if is_leaf_type(inner) and not isinstance(inner, GraphQLEnumType):
            return NON_NULL_LEAF
        return GENERIC
    if is_leaf_type(field_type) and not isinstance(field_type, GraphQLEnumType):
        return LEAF
    return GENERIC


class Projector:
    """Compiled field lists for one planned operation; safe to share between requests."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._entries: dict[tuple[int, str], list[Entry]] = {}
        self._compiled: dict[tuple[int, str], Compiled | None] = {}
        self._keep: list[Sequence[NSelection]] = []
        self._concrete: dict[tuple[int, str], bool] = {}
        self._budget = COMPILE_BUDGET_FIELDS

    @property
    def compiled_fields(self) -> int:
        """How many fields this projection compiled (for tests and benchmarks)."""
        return COMPILE_BUDGET_FIELDS - self._budget

    def spend(self, fields: int) -> bool:
        """Whether ``fields`` more fields may still be compiled (and count them if so)."""
        if fields > self._budget:
            return False
        self._budget -= fields
        return True

    def entries(self, selections: Sequence[NSelection], type_name: str) -> list[Entry]:
        key = (id(selections), type_name)
        cached = self._entries.get(key)
        if cached is not None:
            return cached
        object_type = self.schema.get_type(type_name)
        # an interface stands in for its runtime type when an @interfaceObject subgraph
        # answered and no concrete type was needed (only interface fields selected)
        assert isinstance(object_type, GraphQLObjectType | GraphQLInterfaceType)
        collected: list[NSelection] = []
        denied_fragments = self._collect(selections, type_name, collected)
        out: list[Entry] = []
        for selection in merge(collected):
            assert isinstance(selection, NField)
            field = object_type.fields.get(selection.name)
            field_type = field.type if field is not None else None
            kind = _kind(selection.name, field_type)
            sub: Any = selection.selections
            if selection.denied:
                kind = DENIED
            elif selection.mask is not None:
                kind, sub = MASKED, selection.mask
            out.append((selection.response_key, selection.name, kind, field_type, sub))
        out.extend(("", "", DENIED_TYPE, None, None) for _ in range(denied_fragments))
        self._keep.append(selections)  # keep id() stable
        self._entries[key] = out
        return out

    def needs_concrete_type(
        self, selections: Sequence[NSelection], interface: GraphQLInterfaceType
    ) -> bool:
        """Whether an object known only by its interface's name (as an @interfaceObject
        subgraph answers) can complete ``selections``: not when they ask ``__typename``
        or a fragment on an implementation, and the interface has implementations."""
        key = (id(selections), interface.name)
        cached = self._concrete.get(key)
        if cached is None:
            cached = bool(self.schema.get_possible_types(interface)) and any(
                (isinstance(s, NField) and s.name == "__typename")
                or (isinstance(s, NFragment) and s.type_condition != interface.name)
                for s in selections
            )
            self._concrete[key] = cached
            self._keep.append(selections)
        return cached

    def compiled(self, selections: Sequence[NSelection], type_name: str) -> Compiled | None:
        """The compiled form of :meth:`entries` (see ``projection_code``), or None."""
        key = (id(selections), type_name)
        try:
            return self._compiled[key]
        except KeyError:
            pass
        # imported here: the compiler builds on this module's entry kinds
        from aggregator.execution.projection_code import compile_object

        self._compiled[key] = None  # a selection set that contains itself completes generally
        compiled = self._compiled[key] = compile_object(self, selections, type_name)
        return compiled

    def _collect(
        self, selections: Sequence[NSelection], type_name: str, out: list[NSelection]
    ) -> int:
        """Fields that apply to ``type_name``; returns how many withheld fragments matched."""
        denied = 0
        for selection in selections:
            if isinstance(selection, NFragment):
                condition = self.schema.get_type(selection.type_condition)
                if condition is None:
                    continue
                if condition.name == type_name or (
                    is_abstract_type(condition)
                    and any(t.name == type_name for t in self.schema.get_possible_types(condition))
                ):
                    if selection.denied:
                        denied += 1
                    else:
                        denied += self._collect(selection.selections, type_name, out)
            else:
                out.append(selection)
        return denied


class _Completion:
    def __init__(
        self,
        projector: Projector,
        errors: list[dict[str, Any]],
        root_values: dict[str, Any],
    ) -> None:
        self.projector = projector
        self.schema = projector.schema
        self.errors = errors
        self.root_values = root_values
        self.error_prefixes: set[tuple[Any, ...]] | None = None
        self.value_completion: list[dict[str, Any]] = []

    def has_error_at(self, path: list[Any]) -> bool:
        if self.error_prefixes is None:
            prefixes: set[tuple[Any, ...]] = set()
            for error in self.errors:
                error_path = error.get("path")
                if isinstance(error_path, list):
                    for end in range(len(error_path) + 1):
                        prefixes.add(tuple(error_path[:end]))
            self.error_prefixes = prefixes
        return tuple(path) in self.error_prefixes

    def null_error(self, parent: str, field: str, path: list[Any]) -> None:
        """Report a null the gateway found in a non-null position.

        Like Apollo Gateway, these go to ``extensions.valueCompletion``: the cause
        (a failed or partial subgraph response) is already in ``errors`` when there is one.
        """
        if self.has_error_at(path):
            return
        self.value_completion.append(
            {
                "message": f"Cannot return null for non-nullable field {parent}.{field}.",
                "path": list(path),
                "extensions": {"code": str(ErrorCode.INVALID_GRAPHQL)},
            }
        )

    def object(
        self,
        obj: dict[str, Any],
        selections: Sequence[NSelection],
        type_name: str,
        path: list[Any],
        root: bool = False,
    ) -> Any:
        compiled = self.projector.compiled(selections, type_name)
        if compiled is not None:
            return compiled(obj, path, self)
        result: dict[str, Any] = {}
        get = obj.get
        for key, name, kind, field_type, sub in self.projector.entries(selections, type_name):
            if kind == LEAF:
                result[key] = get(key)
                continue
            if kind == NON_NULL_LEAF:
                leaf = get(key)
                if leaf is None:
                    path.append(key)
                    self.null_error(type_name, name, path)
                    path.pop()
                    return _INVALID
                result[key] = leaf
                continue
            if kind == TYPENAME:
                result[key] = type_name
                continue
            if kind == NOT_IN_SCHEMA:
                if root and key in self.root_values:
                    result[key] = self.root_values[key]
                continue
            if kind >= DENIED:
                if kind == DENIED_TYPE:
                    self.errors.append(unauthorized_error(list(path)))
                    continue
                if kind == DENIED:
                    path.append(key)
                    self.errors.append(unauthorized_error(list(path)))
                    path.pop()
                    if isinstance(field_type, GraphQLNonNull):
                        return _INVALID
                    result[key] = None
                    continue
                assert field_type is not None
                path.append(key)
                value = self.value(obj.get(key), field_type, None, path, type_name, name)
                path.pop()
                if value is _INVALID:
                    return _INVALID
                result[key] = _masked(value, sub)
                continue
            assert field_type is not None
            path.append(key)
            value = self.value(obj.get(key), field_type, sub, path, type_name, name)
            path.pop()
            if value is _INVALID:
                return _INVALID
            result[key] = value
        return result

    def value(
        self,
        value: Any,
        field_type: GraphQLOutputType,
        sub: tuple[NSelection, ...] | None,
        path: list[Any],
        parent: str,
        name: str,
    ) -> Any:
        if isinstance(field_type, GraphQLNonNull):
            completed = self.inner(value, field_type.of_type, sub, path, parent, name)
            if completed is None:
                self.null_error(parent, name, path)
                return _INVALID
            return completed
        completed = self.inner(value, field_type, sub, path, parent, name)
        return None if completed is _INVALID else completed

    def inner(
        self,
        value: Any,
        field_type: Any,
        sub: tuple[NSelection, ...] | None,
        path: list[Any],
        parent: str,
        name: str,
    ) -> Any:
        if value is None:
            return None
        if isinstance(field_type, GraphQLList):
            if not isinstance(value, list):
                return None
            item_type = field_type.of_type
            items = []
            for index, item in enumerate(value):
                path.append(index)
                completed = self.value(item, item_type, sub, path, parent, name)
                path.pop()
                if completed is _INVALID:
                    return _INVALID
                items.append(completed)
            return items
        if sub is None:
            if isinstance(field_type, GraphQLEnumType) and value not in field_type.values:
                # a value outside the API schema (an @inaccessible enum value): null here,
                # reported like the reference gateways, beside other value-completion nulls
                where = path[-1] if path else None
                message = (
                    f"Invalid value found for array element of type {field_type.name} "
                    f"at index {where}."
                    if isinstance(where, int)
                    else f"Invalid value found for field {parent}.{name}."
                )
                self.value_completion.append(
                    {
                        "message": message,
                        "path": list(path),
                        "extensions": {"code": str(ErrorCode.INVALID_GRAPHQL)},
                    }
                )
                return _INVALID
            return value
        if not isinstance(value, dict):
            return None
        if isinstance(field_type, GraphQLObjectType):
            return self.object(value, sub, field_type.name, path)
        runtime = value.get("__typename")
        if runtime == field_type.name and isinstance(field_type, GraphQLInterfaceType):
            if self.projector.needs_concrete_type(sub, field_type):
                return None  # the call for the concrete type failed (its error is reported)
            return self.object(value, sub, runtime, path)
        runtime_type = self.schema.get_type(runtime) if isinstance(runtime, str) else None
        if not isinstance(runtime_type, GraphQLObjectType) or not self.schema.is_sub_type(
            field_type, runtime_type
        ):
            return None
        return self.object(value, sub, runtime_type.name, path)


def _masked(value: Any, mask: Callable[[Any], Any]) -> Any:
    if isinstance(value, list):
        return [_masked(item, mask) for item in value]
    return mask(value)


def unauthorized_error(path: list[Any]) -> dict[str, Any]:
    """Apollo Router's error for a field or fragment authorization withheld."""
    return graphql_error(
        "Unauthorized field or type", ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE, path=path
    )


def project(
    projector: Projector,
    selections: Sequence[NSelection],
    root_type: str,
    data: dict[str, Any],
    errors: list[dict[str, Any]],
    root_values: dict[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The client's data, and the value-completion problems found on the way."""
    completion = _Completion(projector, errors, root_values or {})
    result = completion.object(data, selections, root_type, [], root=True)
    return (None if result is _INVALID else result), completion.value_completion
