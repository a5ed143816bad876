"""Checks inside one subgraph, before anything is merged.

Federation 1 subgraphs arrive here already rewritten by ``fed1_upgrade.py``;
what still differs for them is finished here, so the merge sees one set of
rules: in Fed 1 every field may be resolved by several subgraphs, and unused
@external fields are dropped instead of rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from graphql.language import BooleanValueNode, print_ast

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.field_usage import leaves_without_external, used_fields
from aggregator.composition.fieldsets import walk_field_set
from aggregator.composition.model import AppliedDirective, Subgraph, TypeDef, TypeKind, base_type

_KEY_HINT = (
    " (the field should either be added to this subgraph or, if it should not be resolved by "
    "this subgraph, you need to add it to this subgraph with @external)"
)
_EXTERNAL_HINT = (
    " (if the field is defined in another subgraph, you need to add it to this subgraph "
    "with @external)"
)
_AUTH = ("authenticated", "requiresScopes", "policy")
BUILT_IN_SCALARS = frozenset({"Int", "Float", "String", "Boolean", "ID"})

_Fail = Callable[[CompositionErrorCode, str, str], None]


def _problem_code(directive: str, kind: str) -> CompositionErrorCode:
    """Apollo's code for a field set problem (``KEY_FIELDS_HAS_ARGS``...)."""
    suffix = {
        "invalid_type": "FIELDS_SELECT_INVALID_TYPE",
        "has_args": "FIELDS_HAS_ARGS",
        "directive": "DIRECTIVE_IN_FIELDS_ARG",
    }.get(kind, "INVALID_FIELDS")
    return CompositionErrorCode[f"{directive.upper()}_{suffix}"]


def _fields_arg(directive: AppliedDirective) -> str:
    value = directive.string_arg("fields")
    return value if value is not None else ""


def _fields_not_string(directive: AppliedDirective) -> bool:
    return "fields" in directive.args and directive.string_arg("fields") is None


def _directive_text(directive: AppliedDirective) -> str:
    args = ", ".join(f"{k}: {print_ast(v)}" for k, v in directive.args.items())
    return f"@{directive.name}({args})"


def check_subgraph(sub: Subgraph) -> list[CompositionError]:
    """Validate federation directives of ``sub``; upgrade Fed 1 in place."""
    errors: list[CompositionError] = []

    def fail(code: CompositionErrorCode, message: str, coordinate: str) -> None:
        errors.append(CompositionError(code, f"[{sub.name}] {message}", sub.name, coordinate))

    _check_type_references(sub, fail)
    if errors:
        return errors  # not a valid GraphQL schema: federation checks would only add noise
    for typedef in sub.types.values():
        _check_auth_on_interface(sub, typedef, fail)
        _check_interface_keys_implemented(sub, typedef, fail)
        for key in typedef.applied("key"):
            if _fields_not_string(key):
                fail(
                    CompositionErrorCode.KEY_INVALID_FIELDS_TYPE,
                    f'On type "{typedef.name}", for {_directive_text(key)}: Invalid value for '
                    'argument "fields": must be a string.',
                    typedef.name,
                )
                continue
            fields = _fields_arg(key)
            walk, problem = walk_field_set(
                sub, typedef.name, fields, reject_abstract=True, hint=_KEY_HINT
            )
            if problem is not None:
                fail(
                    _problem_code("key", problem.kind),
                    f'On type "{typedef.name}", for {_directive_text(key)}: {problem.message}',
                    typedef.name,
                )
                continue
            for type_name, field_name in walk.touched:
                owner = sub.types[type_name]
                owner.shareable_fields.add(field_name)
                # Only the type's own key fields: nested ones keep their @external.
                # (Fed 1 subgraphs had theirs removed by ``fed1_upgrade``.)
                if typedef.extension and type_name == typedef.name:
                    _drop_external(owner, field_name)
        for field in typedef.fields.values():
            coordinate = f"{typedef.name}.{field.name}"
            for override in field.applied("override"):
                label = override.string_arg("label")
                if not label_is_valid(label):
                    errors.append(
                        CompositionError(
                            CompositionErrorCode.OVERRIDE_LABEL_INVALID,
                            f'Invalid @override label "{label}" on field "{coordinate}" '
                            f'on subgraph "{sub.name}": labels must start with a letter and '
                            "after that may contain alphanumerics, underscores, minuses, "
                            "colons, periods, or slashes. Alternatively, labels may be of "
                            'the form "percent(x)" where x is a float '
                            "between 0-100 inclusive.",
                            sub.name,
                            coordinate,
                        )
                    )
            if field.has("shareable") and typedef.kind is TypeKind.INTERFACE:
                fail(
                    CompositionErrorCode.INVALID_SHAREABLE_USAGE,
                    f'Invalid use of @shareable on field "{coordinate}": only object type fields '
                    "can be marked with @shareable",
                    coordinate,
                )
            elif len(field.applied("shareable")) > 1:
                fail(
                    CompositionErrorCode.INVALID_SHAREABLE_USAGE,
                    f'Invalid duplicate application of @shareable on field "{coordinate}": '
                    "@shareable is only repeatable on types so it can be used simultaneously on "
                    "a type definition and its extensions, but it should not be duplicated on "
                    "the same definition/extension declaration",
                    coordinate,
                )
            for provides in field.applied("provides"):
                if _fields_not_string(provides):
                    fail(
                        CompositionErrorCode.PROVIDES_INVALID_FIELDS_TYPE,
                        f'On field "{coordinate}", for {_directive_text(provides)}: Invalid '
                        'value for argument "fields": must be a string.',
                        coordinate,
                    )
                    continue
                target = base_type(field.type)
                target_def = sub.types.get(target)
                if target_def is None or target_def.kind not in (
                    TypeKind.OBJECT,
                    TypeKind.INTERFACE,
                    TypeKind.UNION,
                ):
                    fail(
                        CompositionErrorCode.PROVIDES_ON_NON_OBJECT_FIELD,
                        f'Invalid @provides directive on field "{coordinate}": field has type '
                        f'"{field.type}" which is not a Composite Type',
                        coordinate,
                    )
                    continue
                _, problem = walk_field_set(
                    sub, target, _fields_arg(provides), directive="provides", hint=_EXTERNAL_HINT
                )
                if problem is not None:
                    fail(
                        _problem_code("provides", problem.kind),
                        f'On field "{coordinate}", for {_directive_text(provides)}: '
                        f"{problem.message}",
                        coordinate,
                    )
                elif sub.fed2:
                    for leaf in leaves_without_external(sub, target, _fields_arg(provides)):
                        fail(
                            CompositionErrorCode.PROVIDES_FIELDS_MISSING_EXTERNAL,
                            f'On field "{coordinate}", for {_directive_text(provides)}: '
                            f'field "{leaf}" should not be part of a @provides since it is '
                            "already provided by this subgraph (it is not marked @external)",
                            coordinate,
                        )
            for requires in field.applied("requires"):
                if _fields_not_string(requires):
                    fail(
                        CompositionErrorCode.REQUIRES_INVALID_FIELDS_TYPE,
                        f'On field "{coordinate}", for {_directive_text(requires)}: Invalid '
                        'value for argument "fields": must be a string.',
                        coordinate,
                    )
                    continue
                _, problem = walk_field_set(
                    sub,
                    typedef.name,
                    _fields_arg(requires),
                    directive="requires",
                    allow_args=True,
                    hint=_EXTERNAL_HINT,
                )
                if problem is not None:
                    fail(
                        _problem_code("requires", problem.kind),
                        f'On field "{coordinate}", for {_directive_text(requires)}: '
                        f"{problem.message}",
                        coordinate,
                    )
                elif sub.fed2:
                    for leaf in leaves_without_external(sub, typedef.name, _fields_arg(requires)):
                        fail(
                            CompositionErrorCode.REQUIRES_FIELDS_MISSING_EXTERNAL,
                            f'On field "{coordinate}", for {_directive_text(requires)}: '
                            f'field "{leaf}" should not be part of a @requires since it is '
                            "already provided by this subgraph (it is not marked @external)",
                            coordinate,
                        )
    _check_unused_externals(sub, used_fields(sub), fail)
    if not sub.fed2:
        for typedef in sub.types.values():
            typedef.shareable_fields.update(typedef.fields)
    return errors


def _check_type_references(sub: Subgraph, fail: _Fail) -> None:
    reported: set[str] = set()

    def check(type_ref: str, coordinate: str) -> None:
        name = base_type(type_ref)
        if name not in sub.types and name not in BUILT_IN_SCALARS and name not in reported:
            reported.add(name)
            fail(CompositionErrorCode.INVALID_GRAPHQL, f"Unknown type {name}", coordinate)

    for typedef in sub.types.values():
        for name in typedef.interfaces + typedef.members:
            check(name, typedef.name)
        for field in typedef.fields.values():
            check(field.type, f"{typedef.name}.{field.name}")
            for arg in field.args.values():
                check(arg.type, f"{typedef.name}.{field.name}({arg.name}:)")
        for input_field in typedef.input_fields.values():
            check(input_field.type, f"{typedef.name}.{input_field.name}")


def _check_interface_keys_implemented(sub: Subgraph, typedef: TypeDef, fail: _Fail) -> None:
    if typedef.kind is not TypeKind.INTERFACE:
        return
    for key in typedef.applied("key"):
        fields = _fields_arg(key)
        for implementation in sub.types.values():
            if typedef.name not in implementation.interfaces:
                continue
            if not any(_fields_arg(k) == fields for k in implementation.applied("key")):
                fail(
                    CompositionErrorCode.INTERFACE_KEY_NOT_ON_IMPLEMENTATION,
                    f'Key {_directive_text(key)} on interface type "{typedef.name}" is missing '
                    f'on implementation type "{implementation.name}".',
                    implementation.name,
                )


_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_\-:./]*$")
_PERCENT = re.compile(r"^percent\((\d{1,3}(?:\.\d+)?)\)$")


def label_is_valid(label: str | None) -> bool:
    """Progressive @override labels: an identifier, or ``percent(x)`` with 0 <= x <= 100."""
    if label is None:
        return True
    percent = _PERCENT.match(label)
    if percent is not None:
        return float(percent.group(1)) <= 100
    return _LABEL.match(label) is not None


def _drop_external(typedef: TypeDef, field_name: str) -> None:
    field = typedef.fields[field_name]
    field.directives = [d for d in field.directives if d.name != "external"]


def _check_unused_externals(sub: Subgraph, used: set[tuple[str, str]], fail: _Fail) -> None:
    for typedef in sub.types.values():
        for field in list(typedef.fields.values()):
            if not field.has("external"):
                continue
            if (typedef.name, field.name) in used:
                continue
            if not sub.fed2:
                del typedef.fields[field.name]
                continue
            coordinate = f"{typedef.name}.{field.name}"
            fail(
                CompositionErrorCode.EXTERNAL_UNUSED,
                f'Field "{coordinate}" is marked @external but is not used in any federation '
                "directive (@key, @provides, @requires) or to satisfy an interface; the field "
                "declaration has no use and should be removed (or the field should not be "
                "@external).",
                coordinate,
            )


def _check_auth_on_interface(sub: Subgraph, typedef: TypeDef, fail: _Fail) -> None:
    if typedef.merge_kind is not TypeKind.INTERFACE:
        return
    elements = [(typedef.name, typedef.directives)] + [
        (f"{typedef.name}.{f.name}", f.directives) for f in typedef.fields.values()
    ]
    for coordinate, directives in elements:
        for directive in directives:
            if directive.name in _AUTH:
                kind = "interface object" if typedef.is_interface_object else "interface"
                fail(
                    CompositionErrorCode.AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE,
                    f'Invalid use of @{directive.name} on {kind} "{coordinate}": '
                    f"@{directive.name} cannot be applied on interfaces, interface fields and "
                    "interface objects",
                    coordinate,
                )


def key_is_resolvable(key: AppliedDirective) -> bool:
    value = key.args.get("resolvable")
    return not (isinstance(value, BooleanValueNode) and not value.value)
