"""What a caller needs to see each element of a supergraph, read once per supergraph.

Schema authors mark fields, objects, interfaces, scalars and enums with
``@authenticated``, ``@requiresScopes(scopes: [[...]])`` and
``@policy(policies: [[...]])`` (Apollo's trio: outer list OR, inner list AND),
and sensitive values with ``@sensitive`` (this project's directive, see
docs/decisions/0008). Requests only ever ask "may this caller see this field
here?", so the directives are turned once into :class:`FieldRule` values whose
:class:`Requirement` already combines everything that applies (Apollo's rules):

* a requirement on a type applies to every field returning it, and to every
  field of the type itself (that is how a requirement on a root type works);
* an interface needs what each of its implementations needs, and a field
  selected on an interface what each implementation's field needs (AND: any
  of them may answer). Apollo composition since federation 2.9 writes this
  into the supergraph; reading it here enforces older supergraphs, and ours,
  the same way;
* a fragment needs what its type condition needs.

Empty lists fail closed: ``scopes: []`` offers no alternative, so nobody is
granted (Apollo Router treats it as "no requirement"); ``scopes: [[]]`` needs
only an authenticated caller, since scopes come from a token.

Directive names come from the supergraph's ``@link`` imports (``as:`` and
renamed imports are honoured); a supergraph that applies the trio without
linking its spec still has it enforced under the default names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql.language import (
    ConstDirectiveNode,
    ConstValueNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    NullValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    StringValueNode,
)

from aggregator.security.masking import MaskError, compile_mask
from aggregator.supergraph import Supergraph, SupergraphModel

__all__ = [
    "AUTHENTICATED",
    "Atom",
    "AuthorizationModel",
    "FieldRule",
    "Requirement",
    "Sensitivity",
]

log = logging.getLogger("aggregator.authorization")

# A grant one request either holds or not: ("authenticated", ""), ("scope", name),
# ("policy", name) or ("purpose", name) (the caller declared that purpose).
Atom = tuple[str, str]
AUTHENTICATED: Atom = ("authenticated", "")

# OR of ANDs, as the directives write it: any inner set, all of its members.
Groups = frozenset[frozenset[str]]

SENSITIVE_SPEC = "https://specs.aggregator.dev/sensitive/"
_APOLLO_SPECS = "https://specs.apollo.dev/"


@dataclass(frozen=True, slots=True)
class Requirement:
    """Everything a caller must hold to see one element: every part must hold (AND)."""

    authenticated: bool = False
    scopes: frozenset[Groups] = frozenset()
    policies: frozenset[Groups] = frozenset()
    # the caller's declared purpose must be in each of these sets
    purposes: frozenset[frozenset[str]] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.authenticated or self.scopes or self.policies or self.purposes)

    def __and__(self, other: Requirement) -> Requirement:
        if other.empty:
            return self
        if self.empty:
            return other
        return Requirement(
            self.authenticated or other.authenticated,
            self.scopes | other.scopes,
            self.policies | other.policies,
            self.purposes | other.purposes,
        )

    def atoms(self) -> frozenset[Atom]:
        """The grants whose presence decides this requirement."""
        out: set[Atom] = set()
        if self.authenticated or self.scopes:
            out.add(AUTHENTICATED)
        for groups in self.scopes:
            out.update(("scope", s) for group in groups for s in group)
        for groups in self.policies:
            out.update(("policy", p) for group in groups for p in group)
        for allowed in self.purposes:
            out.update(("purpose", p) for p in allowed)
        return frozenset(out)

    def satisfied(self, granted: frozenset[Atom]) -> bool:
        if (self.authenticated or self.scopes) and AUTHENTICATED not in granted:
            return False
        for groups in self.scopes:
            if not any(all(("scope", s) in granted for s in group) for group in groups):
                return False
        for groups in self.policies:
            if not any(all(("policy", p) in granted for p in group) for group in groups):
                return False
        return all(any(("purpose", p) in granted for p in allowed) for allowed in self.purposes)

    def describe(self) -> str:
        """Readable form for logs and start-up messages."""
        parts: list[str] = []
        if self.authenticated:
            parts.append("@authenticated")
        parts.extend(f"@requiresScopes({_groups_text(g)})" for g in sorted(self.scopes, key=str))
        parts.extend(f"@policy({_groups_text(g)})" for g in sorted(self.policies, key=str))
        parts.extend(f"purpose in {sorted(p)}" for p in sorted(self.purposes, key=sorted))
        return " and ".join(parts) or "nothing"


def _groups_text(groups: Groups) -> str:
    return str(sorted(sorted(g) for g in groups))


NOTHING = Requirement()


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """An ``@sensitive`` value: masked unless ``unmask`` holds; released only for ``purposes``."""

    mask_style: str
    mask: Callable[[Any], Any] | None
    unmask: Requirement
    purposes: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class FieldRule:
    """Everything authorization decides about one field of one parent type."""

    coordinate: str
    requirement: Requirement = NOTHING
    sensitivity: Sensitivity | None = None

    @property
    def protected(self) -> bool:
        return not self.requirement.empty

    @property
    def accountable(self) -> bool:
        """Released values of this field belong in the disclosure log."""
        return self.sensitivity is not None or not self.requirement.empty


@dataclass
class _Names:
    authenticated: str | None
    requires_scopes: str | None
    policy: str | None
    sensitive: str | None


@dataclass
class _Raw:
    """Directives as written, before requirements are combined."""

    types: dict[str, Requirement] = field(default_factory=dict)
    fields: dict[tuple[str, str], Requirement] = field(default_factory=dict)
    sensitive_types: dict[str, Sensitivity] = field(default_factory=dict)
    sensitive_fields: dict[tuple[str, str], Sensitivity] = field(default_factory=dict)
    # problems that fail closed at start-up (an unusable @sensitive mask, ...)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class AuthorizationModel:
    """The supergraph's authorization rules, combined per field on first use."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.model: SupergraphModel = supergraph.model
        names = _directive_names(supergraph)
        self._raw = _read(supergraph, names)
        self._field_rules: dict[tuple[str, str], FieldRule] = {}
        self._types: dict[str, Requirement] = {}

    # ---------------------------------------------------------------- summary
    @property
    def active(self) -> bool:
        """Whether anything in the supergraph needs enforcing."""
        raw = self._raw
        return bool(raw.types or raw.fields or raw.sensitive_types or raw.sensitive_fields)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(self._raw.problems)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self._raw.warnings)

    def requirements(self) -> Iterator[tuple[str, Requirement]]:
        """Every (coordinate or type name, requirement) written in the supergraph."""
        yield from sorted(self._raw.types.items())
        for (type_name, field_name), requirement in sorted(self._raw.fields.items()):
            yield f"{type_name}.{field_name}", requirement

    def sensitivities(self) -> Iterator[tuple[str, Sensitivity]]:
        yield from sorted(self._raw.sensitive_types.items())
        for (type_name, field_name), sensitivity in sorted(self._raw.sensitive_fields.items()):
            yield f"{type_name}.{field_name}", sensitivity

    def sensitive_coordinates(self) -> frozenset[str]:
        """Every ``Type.field`` whose value is ``@sensitive``: marked itself, or returning a
        type (a scalar or enum) marked so. What callers see of these differs by grants."""
        out: set[str] = set()
        raw = self._raw
        for type_name, field_name in raw.sensitive_fields:
            out.add(f"{type_name}.{field_name}")
        if raw.sensitive_types:
            for type_model in self.model.types.values():
                for field_model in type_model.fields.values():
                    if field_model.named_type in raw.sensitive_types:
                        out.add(f"{type_model.name}.{field_model.name}")
        return frozenset(out)

    def policy_names(self) -> frozenset[str]:
        return frozenset(
            p
            for _, requirement in self.requirements()
            for groups in requirement.policies
            for group in groups
            for p in group
        )

    def uses_identity(self) -> list[str]:
        """Coordinates whose enforcement depends on who the caller is."""
        out = [where for where, requirement in self.requirements() if not requirement.empty]
        for where, sensitivity in self.sensitivities():
            if sensitivity.purposes is not None or (
                sensitivity.mask is not None and not _never(sensitivity.unmask)
            ):
                out.append(where)
        return out

    # ------------------------------------------------------------- questions
    def type_requirement(self, type_name: str) -> Requirement:
        """A type's own requirement; an interface's includes every implementation's."""
        cached = self._types.get(type_name)
        if cached is not None:
            return cached
        requirement = self._raw.types.get(type_name, NOTHING)
        type_model = self.model.types.get(type_name)
        if type_model is not None and type_model.kind == "interface":
            for runtime in self.model.possible_types(type_name):
                requirement = requirement & self._raw.types.get(runtime, NOTHING)
        self._types[type_name] = requirement
        return requirement

    def field_rule(self, parent: str, name: str) -> FieldRule:
        key = (parent, name)
        rule = self._field_rules.get(key)
        if rule is None:
            rule = self._field_rules[key] = self._combine(parent, name)
        return rule

    def return_type(self, parent: str, name: str) -> str | None:
        type_model = self.model.types.get(parent)
        field_model = type_model.fields.get(name) if type_model is not None else None
        return field_model.named_type if field_model is not None else None

    def list_depth(self, parent: str, name: str) -> int:
        type_model = self.model.types.get(parent)
        field_model = type_model.fields.get(name) if type_model is not None else None
        return field_model.type_str.count("[") if field_model is not None else 0

    def _combine(self, parent: str, name: str) -> FieldRule:
        raw = self._raw
        coordinate = f"{parent}.{name}"
        requirement = self.type_requirement(parent) & raw.fields.get((parent, name), NOTHING)
        returned = self.return_type(parent, name)
        if returned is not None:
            requirement = requirement & self.type_requirement(returned)
        sensitivity = raw.sensitive_fields.get((parent, name))
        if sensitivity is None and returned is not None:
            sensitivity = raw.sensitive_types.get(returned)
        parent_model = self.model.types.get(parent)
        if parent_model is not None and parent_model.kind == "interface":
            # any implementation may answer a field selected on the interface
            for runtime in self.model.possible_types(parent):
                requirement = requirement & raw.fields.get((runtime, name), NOTHING)
                other = raw.sensitive_fields.get((runtime, name))
                if other is not None:
                    sensitivity = other if sensitivity is None else _stricter(sensitivity, other)
        if sensitivity is not None and sensitivity.purposes is not None:
            requirement = requirement & Requirement(purposes=frozenset({sensitivity.purposes}))
        return FieldRule(coordinate, requirement, sensitivity)


def _never(requirement: Requirement) -> bool:
    """A requirement nobody can meet (an empty OR)."""
    return any(not groups for groups in requirement.scopes)


def _stricter(a: Sensitivity, b: Sensitivity) -> Sensitivity:
    """Two implementations disagree: mask if either masks, release only where both do."""
    mask = a if a.mask is not None else b
    purposes = (
        a.purposes
        if b.purposes is None
        else (b.purposes if a.purposes is None else a.purposes & b.purposes)
    )
    return Sensitivity(mask.mask_style, mask.mask, a.unmask & b.unmask, purposes)


# ------------------------------------------------------------------ reading SDL
def _directive_names(supergraph: Supergraph) -> _Names:
    links = supergraph.links

    def apollo(spec: str) -> str | None:
        feature = links.get(spec)
        if feature is None:
            return spec  # applied without @link: enforce under the default name
        if not feature.url.startswith(_APOLLO_SPECS):
            return None
        return feature.directive(spec)

    sensitive = next(
        (f.directive("sensitive") for f in links.features if f.url.startswith(SENSITIVE_SPEC)),
        None,
    )
    return _Names(apollo("authenticated"), apollo("requiresScopes"), apollo("policy"), sensitive)


_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
)


def _read(supergraph: Supergraph, names: _Names) -> _Raw:
    raw = _Raw()
    for definition in supergraph.document.definitions:
        if not isinstance(definition, _TYPE_NODES):
            continue
        type_name = definition.name.value
        requirement = _requirement(definition.directives, names, type_name, raw)
        if not requirement.empty:
            raw.types[type_name] = raw.types.get(type_name, NOTHING) & requirement
        if isinstance(definition, ScalarTypeDefinitionNode | ScalarTypeExtensionNode):
            sensitivity = _sensitivity(definition.directives, names, type_name, raw)
            if sensitivity is not None:
                raw.sensitive_types[type_name] = sensitivity
        for field_node in getattr(definition, "fields", None) or ():
            key = (type_name, field_node.name.value)
            coordinate = f"{type_name}.{field_node.name.value}"
            requirement = _requirement(field_node.directives, names, coordinate, raw)
            if not requirement.empty:
                raw.fields[key] = raw.fields.get(key, NOTHING) & requirement
            sensitivity = _sensitivity(field_node.directives, names, coordinate, raw)
            if sensitivity is not None:
                raw.sensitive_fields[key] = sensitivity
    _check_masks(supergraph.model, raw)
    return raw


def _requirement(
    directives: Iterable[ConstDirectiveNode] | None, names: _Names, where: str, raw: _Raw
) -> Requirement:
    requirement = NOTHING
    for directive in directives or ():
        name = directive.name.value
        if name == names.authenticated:
            requirement = requirement & Requirement(authenticated=True)
        elif name == names.requires_scopes:
            groups = _groups(_argument(directive, "scopes"))
            _warn_empty(groups, f"@requiresScopes on {where}", raw)
            requirement = requirement & Requirement(scopes=frozenset({groups}))
        elif name == names.policy:
            groups = _groups(_argument(directive, "policies"))
            _warn_empty(groups, f"@policy on {where}", raw)
            requirement = requirement & Requirement(policies=frozenset({groups}))
    return requirement


def _warn_empty(groups: Groups, where: str, raw: _Raw) -> None:
    if not groups:
        raw.warnings.append(f"{where} lists no alternative: nobody may see it")


def _sensitivity(
    directives: Iterable[ConstDirectiveNode] | None, names: _Names, where: str, raw: _Raw
) -> Sensitivity | None:
    if names.sensitive is None:
        return None
    for directive in directives or ():
        if directive.name.value != names.sensitive:
            continue
        style_node = _argument(directive, "mask")
        style = style_node.value if isinstance(style_node, StringValueNode) else "last4"
        try:
            mask = compile_mask(style)
        except MaskError as exc:
            raw.problems.append(f"@sensitive on {where}: {exc}")
            mask = compile_mask("all")
        unmask_node = _argument(directive, "unmaskScopes")
        unmask = Requirement(scopes=frozenset({_groups(unmask_node)}))
        purposes_node = _argument(directive, "purposes")
        purposes: frozenset[str] | None = None
        if purposes_node is not None and not isinstance(purposes_node, NullValueNode):
            purposes = frozenset(_strings(purposes_node))
            if not purposes:
                raw.warnings.append(f"@sensitive on {where} lists no purpose: nobody may see it")
        return Sensitivity(style, mask, unmask, purposes)
    return None


def _check_masks(model: SupergraphModel, raw: _Raw) -> None:
    """Masks rewrite values into strings: only string-like types can carry one."""
    for (type_name, field_name), sensitivity in raw.sensitive_fields.items():
        if sensitivity.mask is None:
            continue
        type_model = model.types.get(type_name)
        field_model = type_model.fields.get(field_name) if type_model is not None else None
        if field_model is None:
            continue
        returned = model.types.get(field_model.named_type)
        kind = returned.kind if returned is not None else "scalar"
        if field_model.named_type in ("Int", "Float", "Boolean") or kind not in ("scalar",):
            raw.problems.append(
                f"@sensitive(mask: {sensitivity.mask_style!r}) on {type_name}.{field_name}: "
                f"a {field_model.named_type} value cannot be masked (only String, ID and "
                'custom scalars can); use mask: "none" with purposes, or @requiresScopes'
            )


def _argument(directive: ConstDirectiveNode, name: str) -> ConstValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


def _strings(value: ConstValueNode | None) -> list[str]:
    """A ``[String]`` argument, with GraphQL's coercion of a single value to a list."""
    if isinstance(value, ListValueNode):
        return [v.value for v in value.values if isinstance(v, StringValueNode)]
    if isinstance(value, StringValueNode):
        return [value.value]
    return []


def _groups(value: ConstValueNode | None) -> Groups:
    """A ``[[String]]`` argument as OR-of-ANDs, with GraphQL's list input coercion."""
    if value is None or isinstance(value, NullValueNode):
        return frozenset()
    items = value.values if isinstance(value, ListValueNode) else (value,)
    return frozenset(frozenset(_strings(item)) for item in items)
