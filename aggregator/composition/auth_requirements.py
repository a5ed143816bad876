"""A field that @requires data must be at least as protected as that data.

@requires makes the router fetch the selected fields and hand them to the
requiring field's subgraph. If those fields carry @authenticated,
@requiresScopes or @policy, a caller without those rights could read them
through the requiring field, so its own requirements must imply theirs
(MISSING_TRANSITIVE_AUTH_REQUIREMENTS, as Apollo checks).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql.language import ListValueNode, StringValueNode

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.fieldsets import walk_field_set
from aggregator.composition.merge_context import Supergraph
from aggregator.composition.model import AppliedDirective, base_type


@dataclass(frozen=True)
class _Requirements:
    authenticated: bool
    scopes: tuple[frozenset[str], ...]  # OR of ANDs; empty: no requirement
    policies: tuple[frozenset[str], ...]

    @property
    def empty(self) -> bool:
        return not (self.authenticated or self.scopes or self.policies)


def _dnf(directives: list[AppliedDirective], name: str, arg: str) -> tuple[frozenset[str], ...]:
    groups: list[frozenset[str]] = []
    for directive in directives:
        if directive.name != name:
            continue
        value = directive.args.get(arg)
        if isinstance(value, ListValueNode):
            for inner in value.values:
                if isinstance(inner, ListValueNode):
                    groups.append(
                        frozenset(v.value for v in inner.values if isinstance(v, StringValueNode))
                    )
    return tuple(groups)


def _requirements(directives: list[AppliedDirective]) -> _Requirements:
    return _Requirements(
        authenticated=any(d.name == "authenticated" for d in directives),
        scopes=_dnf(directives, "requiresScopes", "scopes"),
        policies=_dnf(directives, "policy", "policies"),
    )


def _implies(have: tuple[frozenset[str], ...], need: tuple[frozenset[str], ...]) -> bool:
    """Every way to satisfy ``have`` also satisfies ``need``."""
    if not need:
        return True
    return bool(have) and all(any(n <= h for n in need) for h in have)


def _covers(have: _Requirements, need: _Requirements) -> bool:
    # As Apollo: scopes or policies do not stand in for @authenticated, which must be stated.
    authenticated = not need.authenticated or have.authenticated
    return (
        authenticated
        and _implies(have.scopes, need.scopes)
        and _implies(have.policies, need.policies)
    )


def check_transitive_auth(supergraph: Supergraph) -> list[CompositionError]:
    errors: list[CompositionError] = []
    types = supergraph.types
    for sub in supergraph.subgraphs:
        for typedef in sub.types.values():
            for field in typedef.fields.values():
                for requires in field.applied("requires"):
                    merged = types.get(typedef.name)
                    if merged is None or field.name not in merged.fields:
                        continue
                    have = _requirements(merged.fields[field.name].directives + merged.directives)
                    walk, _ = walk_field_set(
                        sub, typedef.name, requires.string_arg("fields") or "", allow_args=True
                    )
                    for type_name, field_name in sorted(walk.touched):
                        target = types.get(type_name)
                        if target is None or field_name not in target.fields:
                            continue
                        selected = target.fields[field_name]
                        value_type = types.get(base_type(selected.type))
                        need = _requirements(
                            selected.directives
                            + (value_type.directives if value_type is not None else [])
                        )
                        if need.empty or _covers(have, need):
                            continue
                        coordinate = f"{typedef.name}.{field.name}"
                        errors.append(
                            CompositionError(
                                CompositionErrorCode.MISSING_TRANSITIVE_AUTH_REQUIREMENTS,
                                f'[{sub.name}] Field "{coordinate}" does not specify necessary '
                                "@authenticated, @requiresScopes and/or @policy auth requirements "
                                "to "
                                f'access the transitive field "{type_name}.{field_name}" data from '
                                "@requires selection set.",
                                sub.name,
                                coordinate,
                            )
                        )
    return errors
