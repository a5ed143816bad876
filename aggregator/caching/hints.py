"""``@cacheControl`` and ``@cacheTag`` as the supergraph carries them.

Subgraphs declare the directives through the aggregator cache spec
(``@link(url: "https://specs.aggregator.dev/cache/v0.1", import: [...])``
plus ``@composeDirective``), so both Apollo's composition and ours copy every
application into the supergraph. ``@cacheControl`` is declared *repeatable*
in that spec: where two subgraphs put different hints on one shared type,
composition keeps both (a non-repeatable directive keeps only one and would
silently drop, say, a PRIVATE scope). Several hints on one element combine
restrictively: the smallest max age, PRIVATE if any says so.

Operators' ``cache.types`` entries act as type-level hints on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql.language import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    IntValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)

from aggregator.caching.policy import Scope
from aggregator.config.cache import CacheOverride
from aggregator.supergraph.links import Links
from aggregator.supergraph.model import SupergraphModel

__all__ = ["CACHE_SPEC_URL", "CacheHints", "Hint", "lossy_hints", "read_hints"]

CACHE_SPEC_URL = "https://specs.aggregator.dev/cache/v0.1"
_SPEC_PREFIX = "https://specs.aggregator.dev/cache/v"

_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)


@dataclass(frozen=True, slots=True)
class Hint:
    """One element's hint: ``max_age`` None means "not said" (Apollo's undefined)."""

    max_age: float | None = None
    scope: Scope | None = None
    inherit: bool = False

    def combine(self, other: Hint) -> Hint:
        ages = [a for a in (self.max_age, other.max_age) if a is not None]
        scopes = {self.scope, other.scope} - {None}
        scope = Scope.PRIVATE if Scope.PRIVATE in scopes else (Scope.PUBLIC if scopes else None)
        return Hint(min(ages) if ages else None, scope, self.inherit and other.inherit)


NO_HINT = Hint()


@dataclass(frozen=True, slots=True)
class CacheHints:
    """Every hint and tag of one supergraph, plus the operator's type overrides."""

    types: Mapping[str, Hint] = field(default_factory=dict)
    fields: Mapping[tuple[str, str], Hint] = field(default_factory=dict)
    type_tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    field_tags: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # types the operator switched off (cache.types.NAME.enabled: false)
    disabled_types: frozenset[str] = frozenset()

    def type_hint(self, name: str) -> Hint:
        return self.types.get(name, NO_HINT)

    def field_hint(self, parent: str, name: str) -> Hint:
        return self.fields.get((parent, name), NO_HINT)


def _local_names(links: Links | None, document: DocumentNode) -> tuple[str | None, str | None]:
    if links is not None:
        for feature in links.features:
            if feature.url.startswith(_SPEC_PREFIX):
                return feature.directive("cacheControl"), feature.directive("cacheTag")
    return None, None


def _hint(directive: DirectiveNode) -> Hint:
    args = {a.name.value: a.value for a in directive.arguments or ()}
    max_age = args.get("maxAge")
    scope = args.get("scope")
    inherit = args.get("inheritMaxAge")
    return Hint(
        float(int(max_age.value)) if isinstance(max_age, IntValueNode) else None,
        Scope(scope.value)
        if isinstance(scope, EnumValueNode) and scope.value in Scope.__members__
        else None,
        isinstance(inherit, BooleanValueNode) and inherit.value,
    )


def _tag(directive: DirectiveNode) -> str | None:
    for argument in directive.arguments or ():
        if argument.name.value == "name" and isinstance(argument.value, StringValueNode):
            return argument.value.value
    return None


def read_hints(
    document: DocumentNode,
    links: Links | None,
    overrides: Mapping[str, CacheOverride] | None = None,
    default_ttl_s: float = 60.0,
) -> CacheHints:
    """Collect the hints; ``overrides`` (``cache.types``) act as type-level hints on top.

    A listed type gets its ``ttl_s`` as its max age; without one it keeps its own
    hint's max age, or ``default_ttl_s`` where it has none.
    """
    control, tag = _local_names(links, document)
    types: dict[str, Hint] = {}
    fields: dict[tuple[str, str], Hint] = {}
    type_tags: dict[str, list[str]] = {}
    field_tags: dict[tuple[str, str], list[str]] = {}
    if control is not None or tag is not None:
        for definition in document.definitions:
            if not isinstance(definition, _TYPE_NODES):
                continue
            name = definition.name.value
            for directive in definition.directives or ():
                if directive.name.value == control:
                    types[name] = types.get(name, _hint(directive)).combine(_hint(directive))
                elif directive.name.value == tag and (value := _tag(directive)):
                    type_tags.setdefault(name, []).append(value)
            for field_node in getattr(definition, "fields", None) or ():
                coordinate = (name, field_node.name.value)
                for directive in field_node.directives or ():
                    if directive.name.value == control:
                        hint = _hint(directive)
                        fields[coordinate] = fields.get(coordinate, hint).combine(hint)
                    elif directive.name.value == tag and (value := _tag(directive)):
                        field_tags.setdefault(coordinate, []).append(value)
    disabled: set[str] = set()
    for name, override in (overrides or {}).items():
        if not override.enabled:
            disabled.add(name)
            continue
        base = types.get(name, NO_HINT)
        # the operator's TTL replaces the type's max age; private only ever tightens the scope
        scope = Scope.PRIVATE if override.private else base.scope
        if override.ttl_s is not None:
            max_age: float | None = override.ttl_s
        else:
            max_age = base.max_age if base.max_age is not None else default_ttl_s
        types[name] = Hint(max_age, scope, False)
    return CacheHints(
        types,
        fields,
        {k: tuple(dict.fromkeys(v)) for k, v in type_tags.items()},
        {k: tuple(dict.fromkeys(v)) for k, v in field_tags.items()},
        frozenset(disabled),
    )


def lossy_hints(document: DocumentNode, links: Links | None, model: SupergraphModel) -> list[str]:
    """Elements whose hints composition may have cut down to one subgraph's.

    With a non-repeatable ``@cacheControl`` definition, composition keeps one
    application per element: where several subgraphs define the element, a
    PRIVATE scope or a shorter max age of another subgraph may be gone. The
    gateway cannot enforce what it cannot see, so it refuses such a supergraph.
    """
    control, _ = _local_names(links, document)
    if control is None:
        return []
    for definition in document.definitions:
        if (
            isinstance(definition, DirectiveDefinitionNode)
            and definition.name.value == control
            and definition.repeatable
        ):
            return []
    hints = read_hints(document, links)
    found = [
        name
        for name in hints.types
        if name in model.types
        and len(model.types[name].graphs) > 1
        and not model.types[name].value_type
    ]
    for parent, field_name in hints.fields:
        type_model = model.types.get(parent)
        field_model = type_model.fields.get(field_name) if type_model is not None else None
        if field_model is not None and len(field_model.sources) > 1:
            found.append(f"{parent}.{field_name}")
    return sorted(found)
