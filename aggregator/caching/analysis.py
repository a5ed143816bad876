"""What one planned fetch means for the cache, computed once per fetch shape.

The static half of Apollo Server's cache-control algorithm, run over the
subgraph operation the planner wrote: each field restricts the fetch's policy
by its hint, else by its return type's hint, else (for root fields and fields
returning objects, interfaces or unions) by the default max age of 0, unless
``inheritMaxAge`` says to take the parent's. Scalars never restrict. An entity
fetch treats each entity as a root object of its type (``_entities`` restricts
by the entity type's hint, as ``@apollo/subgraph`` does).

Static analysis can only over-restrict: a field that would have resolved to
null still counts. The same walk finds the @cacheTag tags, the types to tag
entries with, the sensitive fields that force PRIVATE, and where a root
fetch's result holds entities (for invalidation by key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql import parse, print_ast
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from aggregator.caching.hints import CacheHints, Hint
from aggregator.caching.policy import Scope
from aggregator.planning.plan import Fetch
from aggregator.supergraph.model import SupergraphModel

__all__ = ["EntityPath", "FetchAnalysis", "StaticPolicy", "analyse_fetch"]

DEFAULT_MAX_AGE = 0.0


@dataclass(frozen=True, slots=True)
class StaticPolicy:
    """A policy from hints: ``explicit_zero`` when a hint itself said ``maxAge: 0``."""

    max_age: float = float("inf")
    scope: Scope = Scope.PUBLIC
    explicit_zero: bool = False
    disabled: bool = False  # touches a type the operator switched off


@dataclass(frozen=True, slots=True)
class EntityPath:
    """Where a root fetch's data holds objects that may be entities (for ``k:`` tags)."""

    path: tuple[str, ...]  # response keys; lists are walked through
    types: tuple[str, ...]  # possible entity types there


@dataclass(frozen=True, slots=True)
class FetchAnalysis:
    service: str
    kind: str  # "query" or "mutation"
    entity: bool
    # the operation without its name (root) or the _entities selection: the key's text
    key_text: str
    # root: the whole fetch; entity: keyed by entity type name
    policy: StaticPolicy
    per_type: dict[str, StaticPolicy] = field(default_factory=dict)
    # composite types the result holds (root), per entity type (entity)
    types: frozenset[str] = frozenset()
    types_per_type: dict[str, frozenset[str]] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    tags_per_type: dict[str, frozenset[str]] = field(default_factory=dict)
    entity_paths: tuple[EntityPath, ...] = ()
    label: str = ""  # the type metrics count a root fetch under


class _Acc:
    __slots__ = ("disabled", "entity_paths", "explicit_zero", "max_age", "private", "tags", "types")

    def __init__(self) -> None:
        self.max_age = float("inf")
        self.private = False
        self.explicit_zero = False
        self.disabled = False
        self.types: set[str] = set()
        self.tags: set[str] = set()
        self.entity_paths: list[EntityPath] = []

    def restrict(self, max_age: float | None, scope: Scope | None, explicit: bool) -> None:
        if max_age is not None and max_age < self.max_age:
            self.max_age = max_age
        if max_age == 0 and explicit:
            self.explicit_zero = True
        if scope is Scope.PRIVATE:
            self.private = True

    def policy(self) -> StaticPolicy:
        # no field restricted at all (only __typename): nothing says it may be reused
        max_age = self.max_age if self.max_age != float("inf") else DEFAULT_MAX_AGE
        return StaticPolicy(
            max_age,
            Scope.PRIVATE if self.private else Scope.PUBLIC,
            self.explicit_zero,
            self.disabled,
        )


class _Walker:
    def __init__(
        self,
        model: SupergraphModel,
        hints: CacheHints,
        sensitive: frozenset[str],
        fragments: dict[str, FragmentDefinitionNode],
    ) -> None:
        self.model = model
        self.hints = hints
        self.sensitive = sensitive
        self.fragments = fragments

    def type_seen(self, name: str, acc: _Acc) -> None:
        if name in acc.types:
            return
        acc.types.add(name)
        acc.tags.update(self.hints.type_tags.get(name, ()))
        if name in self.hints.disabled_types:
            acc.disabled = True

    def fields(self, selections: SelectionSetNode, parent: str) -> Iterable[tuple[FieldNode, str]]:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = condition.name.value if condition is not None else parent
                yield from self.fields(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self.fields(
                        fragment.selection_set, fragment.type_condition.name.value
                    )

    def is_sensitive(self, parent: str, name: str) -> bool:
        if not self.sensitive:
            return False
        if f"{parent}.{name}" in self.sensitive:
            return True
        model = self.model.types.get(parent)
        if model is not None and model.is_abstract:
            return any(f"{t}.{name}" in self.sensitive for t in self.model.possible_types(parent))
        return False

    def walk(
        self,
        selections: SelectionSetNode,
        parent: str,
        acc: _Acc,
        *,
        root: bool,
        path: tuple[str, ...] = (),
    ) -> None:
        for node, parent_type in self.fields(selections, parent):
            name = node.name.value
            if name.startswith("__"):
                continue
            if parent_type != parent:
                self.type_seen(parent_type, acc)
            model = self.model.types.get(parent_type)
            field_model = model.fields.get(name) if model is not None else None
            if field_model is None:
                continue
            coordinate = (parent_type, name)
            acc.tags.update(self.hints.field_tags.get(coordinate, ()))
            if self.is_sensitive(parent_type, name):
                acc.private = True
            target = field_model.named_type
            target_model = self.model.types.get(target)
            composite = target_model is not None and target_model.is_composite
            max_age: float | None = None
            scope: Scope | None = None
            inherit = False
            explicit = False
            if composite:
                type_hint = self.hints.type_hint(target)
                max_age, scope, inherit = type_hint.max_age, type_hint.scope, type_hint.inherit
                explicit = type_hint.max_age is not None
                self.type_seen(target, acc)
            field_hint: Hint = self.hints.field_hint(parent_type, name)
            if field_hint.inherit and max_age is None:
                inherit = True
                if field_hint.scope is not None:
                    scope = field_hint.scope
            else:
                if field_hint.max_age is not None:
                    max_age, explicit = field_hint.max_age, True
                if field_hint.scope is not None:
                    scope = field_hint.scope
            if max_age is None and ((composite and not inherit) or root):
                max_age, explicit = DEFAULT_MAX_AGE, False
            acc.restrict(max_age, scope, explicit)
            if node.selection_set is not None and target_model is not None:
                key = node.alias.value if node.alias is not None else name
                here = (*path, key)
                entity_types = tuple(
                    t for t in self.model.possible_types(target) if self.model.types[t].all_keys
                )
                if entity_types:
                    acc.entity_paths.append(EntityPath(here, entity_types))
                self.walk(node.selection_set, target, acc, root=False, path=here)


def _strictest(a: StaticPolicy, b: StaticPolicy) -> StaticPolicy:
    private = Scope.PRIVATE in (a.scope, b.scope)
    return StaticPolicy(
        min(a.max_age, b.max_age),
        Scope.PRIVATE if private else Scope.PUBLIC,
        a.explicit_zero or b.explicit_zero,
        a.disabled or b.disabled,
    )


def _covers(model: SupergraphModel, condition: str, name: str, sent_as: str) -> bool:
    """Whether a fragment ``... on condition`` applies to entities of type ``name``."""
    if condition in (name, sent_as):
        return True
    return condition in model.types and name in model.possible_types(condition)


def _entities_field(operation: OperationDefinitionNode) -> FieldNode | None:
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value == "_entities":
            return selection
    return None


def analyse_fetch(
    fetch: Fetch,
    model: SupergraphModel,
    hints: CacheHints,
    sensitive: frozenset[str] = frozenset(),
) -> FetchAnalysis:
    """The cache's view of one fetch; pure, so it is computed once per fetch shape."""
    document = parse(fetch.operation, no_location=True)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = operations[0]
    walker = _Walker(model, hints, sensitive, fragments)
    kind = operation.operation.value
    if fetch.requires is not None:
        entities = _entities_field(operation)
        per_type: dict[str, StaticPolicy] = {}
        types_per_type: dict[str, frozenset[str]] = {}
        tags_per_type: dict[str, frozenset[str]] = {}
        overall = _Acc()
        for required in fetch.requires:
            name = required.type_name
            acc = _Acc()
            walker.type_seen(name, acc)
            hint = hints.type_hint(name)
            # an entity is resolved as a root object: no max age of its own means 0
            acc.restrict(
                hint.max_age if hint.max_age is not None else DEFAULT_MAX_AGE,
                hint.scope,
                hint.max_age is not None,
            )
            if entities is not None and entities.selection_set is not None:
                for selection in entities.selection_set.selections:
                    if not isinstance(selection, InlineFragmentNode):
                        continue
                    condition = selection.type_condition
                    if condition is None or not _covers(
                        model, condition.name.value, name, required.representation_typename
                    ):
                        continue
                    walker.walk(selection.selection_set, name, acc, root=False)
            # keyed by the __typename representations carry (an @interfaceObject subgraph gets
            # the interface's name for several object types: they share the strictest policy)
            sent = required.representation_typename
            policy = acc.policy()
            if sent in per_type:
                policy = _strictest(per_type[sent], policy)
            per_type[sent] = policy
            types_per_type[sent] = types_per_type.get(sent, frozenset()) | acc.types
            tags_per_type[sent] = tags_per_type.get(sent, frozenset()) | acc.tags
            overall.restrict(acc.max_age, Scope.PRIVATE if acc.private else None, acc.explicit_zero)
            overall.disabled |= acc.disabled
        return FetchAnalysis(
            service=fetch.service_name,
            kind=kind,
            entity=True,
            key_text=fetch.selection_text,
            policy=overall.policy(),
            per_type=per_type,
            types_per_type=types_per_type,
            tags_per_type=tags_per_type,
        )
    root_type = model.root_type(kind) or "Query"
    acc = _Acc()
    walker.walk(operation.selection_set, root_type, acc, root=True)
    label = root_type
    for node, _ in walker.fields(operation.selection_set, root_type):
        root_field = model.types[root_type].fields.get(node.name.value)
        if root_field is not None:
            label = root_field.named_type
            break
    unnamed = OperationDefinitionNode(
        operation=operation.operation,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    key_text = print_ast(unnamed) + "".join(print_ast(f) for f in fragments.values())
    return FetchAnalysis(
        service=fetch.service_name,
        kind=kind,
        entity=False,
        key_text=key_text,
        policy=acc.policy(),
        types=frozenset(acc.types),
        tags=frozenset(acc.tags),
        entity_paths=tuple(acc.entity_paths),
        label=label,
    )
