"""Merge validated subgraphs into one supergraph model with join directives.

The rules are Apollo Federation 2's: types of one name must share a kind;
output field types widen and argument/input types narrow; input objects and
arguments keep what every subgraph has; enums merge by usage (output-only:
union, input-only: intersection, both: must agree); a field resolved by
several subgraphs must be @shareable there. ``@join__*`` directives record
which subgraph owns what, and are left out where they would say nothing new.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from graphql.language import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    EnumValueNode,
    StringValueNode,
    ValueNode,
    print_ast,
)

from aggregator.composition.directives import merge_directives
from aggregator.composition.errors import (
    CompositionError,
    CompositionErrorCode,
    CompositionHint,
    CompositionHintCode,
)
from aggregator.composition.fieldsets import provided_fields, walk_field_set
from aggregator.composition.model import (
    AppliedDirective,
    EnumValueDef,
    FieldDef,
    InputValueDef,
    Subgraph,
    TypeDef,
    TypeKind,
    base_type,
)
from aggregator.composition.types import is_subtype, narrowest, widest
from aggregator.composition.validation import key_is_resolvable

#: federation directives that are copied into the supergraph under their imported name.
SUPERGRAPH_SPEC_DIRECTIVES = ("tag", "inaccessible")
ROOT_TYPE_NAMES = frozenset({"Query", "Mutation", "Subscription"})
EXECUTABLE_LOCATIONS = frozenset({
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT", "VARIABLE_DEFINITION",
})


@dataclass
class Supergraph:
    graphs: dict[str, str]  # subgraph name -> join__Graph value
    subgraphs: list[Subgraph]
    types: dict[str, TypeDef] = field(default_factory=dict)
    directive_defs: list[DirectiveDefinitionNode] = field(default_factory=list)
    composed_links: list[tuple[str, list[str]]] = field(default_factory=list)
    #: spec directive -> the name every subgraph imported it as, when not its own name
    renames: dict[str, str] = field(default_factory=dict)


def graph_enum_names(names: list[str]) -> dict[str, str]:
    """Subgraph name -> join__Graph value: upper-cased, made a valid enum value,
    and numbered (``_1``, ``_2`` in name order) where two names collide."""
    bases: dict[str, str] = {}
    for name in names:
        value = re.sub(r"[^A-Za-z0-9_]", "_", name).upper()
        bases[name] = "_" + value if value[:1].isdigit() else value
    counts = Counter(bases.values())
    seen: Counter[str] = Counter()
    result: dict[str, str] = {}
    for name in sorted(names):
        base = bases[name]
        if counts[base] > 1:
            seen[base] += 1
            result[name] = f"{base}_{seen[base]}"
        else:
            result[name] = base
    return result


def _s(value: str) -> StringValueNode:
    return StringValueNode(value=value)


def _quoted(names: list[str]) -> str:
    quoted = [f'"{n}"' for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _subgraphs_text(names: list[str]) -> str:
    return ("subgraph " if len(names) == 1 else "subgraphs ") + _quoted(names)


def _description(values: list[str | None]) -> str | None:
    present = [v for v in values if v and v.strip()]
    if not present:
        return None
    counts = Counter(present)
    best = max(counts.values())
    return next(v for v in present if counts[v] == best)


class Merger:
    def __init__(self, subgraphs: list[Subgraph]) -> None:
        self.subs = subgraphs
        self.by_name = {s.name: s for s in subgraphs}
        self.errors: list[CompositionError] = []
        self.hints: list[CompositionHint] = []
        self.composed = frozenset(n for s in subgraphs for n in s.composed)
        self.out = Supergraph(graph_enum_names([s.name for s in subgraphs]), subgraphs)
        self.provided = {s.name: provided_fields(s) for s in subgraphs}
        self.input_usage: dict[str, str] = {}
        self.output_usage: dict[str, str] = {}
        self._collect_usages()

    # -- helpers -----------------------------------------------------------

    def error(self, code: CompositionErrorCode, message: str, coordinate: str | None,
              subgraph: str | None = None) -> None:
        self.errors.append(CompositionError(code, message, subgraph, coordinate))

    def hint(self, code: CompositionHintCode, message: str, coordinate: str) -> None:
        self.hints.append(CompositionHint(code, message, coordinate))

    def graph(self, sub: Subgraph) -> EnumValueNode:
        return EnumValueNode(value=self.out.graphs[sub.name])

    def implements(self, sub_name: str, sup_name: str) -> bool:
        if sub_name == sup_name:
            return True
        for s in self.subs:
            t = s.types.get(sub_name)
            if t is not None and sup_name in t.interfaces:
                return True
            u = s.types.get(sup_name)
            if u is not None and sub_name in u.members:
                return True
        return False

    def _collect_usages(self) -> None:
        for s in self.subs:
            for t in s.types.values():
                for f in t.fields.values():
                    self.output_usage.setdefault(base_type(f.type), f"{t.name}.{f.name}")
                    for a in f.args.values():
                        self.input_usage.setdefault(base_type(a.type),
                                                    f"{t.name}.{f.name}({a.name}:)")
                for i in t.input_fields.values():
                    self.input_usage.setdefault(base_type(i.type), f"{t.name}.{i.name}")

    # -- entry point ---------------------------------------------------------

    def _check_import_names(self) -> None:
        for directive in SUPERGRAPH_SPEC_DIRECTIVES:
            local = {s.name: s.imported_as[directive] for s in self.subs
                     if directive in s.imported_as}
            distinct = sorted(set(local.values()))
            if len(distinct) > 1:
                first = next(iter(local.items()))
                other = next((s, n) for s, n in local.items() if n != first[1])
                self.error(
                    CompositionErrorCode.LINK_IMPORT_NAME_MISMATCH,
                    f'The "@{directive}" directive (from https://specs.apollo.dev/federation) is '
                    f'imported with mismatched name between subgraphs: it is imported as '
                    f'"@{first[1]}" in subgraph "{first[0]}" but "@{other[1]}" in subgraph '
                    f'"{other[0]}"',
                    f"@{directive}",
                )
            elif distinct and distinct[0] != directive:
                self.out.renames[directive] = distinct[0]

    def _check_interface_objects(self) -> None:
        names = {n for s in self.subs for n, t in s.types.items() if t.is_interface_object}
        for name in sorted(names):
            sources = [(s, s.types[name]) for s in self.subs if name in s.types]
            if any(s.fed2 and t.kind is TypeKind.INTERFACE and t.has("key") for s, t in sources):
                continue
            users = [s.name for s, t in sources if t.is_interface_object]
            self.error(
                CompositionErrorCode.INTERFACE_OBJECT_USAGE_ERROR,
                f'The @interfaceObject directive is used on type "{name}" in '
                f"{_subgraphs_text(users)}, which requires other subgraphs to resolve its "
                f'type name via an interface @key. However, no subgraph defines "{name}" as '
                "an interface with a @key (a @key on an interface in a federation 1 "
                "subgraph does not count).",
                name,
            )

    def _check_extensions_have_base(self) -> None:
        names = {n for s in self.subs for n in s.types if n not in ROOT_TYPE_NAMES}
        for name in sorted(names):
            sources = [s.types[name] for s in self.subs if name in s.types]
            if all(t.only_extensions for t in sources):
                self.error(
                    CompositionErrorCode.EXTENSION_WITH_NO_BASE,
                    f'Type "{name}" is an extension type, but there is no type definition for '
                    f'"{name}" in any subgraph (it is extended in '
                    f"{_subgraphs_text([s.name for s in self.subs if name in s.types])}).",
                    name,
                )

    def merge(self) -> Supergraph:
        self._check_import_names()
        self._check_interface_objects()
        self._check_extensions_have_base()
        if self.errors:
            return self.out
        names: list[str] = []
        for s in self.subs:
            names.extend(n for n in s.types if n not in names)
        for name in names:
            sources = [(s, s.types[name]) for s in self.subs if name in s.types]
            kinds = {t.merge_kind for _, t in sources}
            if len(kinds) > 1:
                self._kind_mismatch(name, sources)
                continue
            merged = self._merge_type(name, sources)
            if merged is not None:
                self.out.types[name] = merged
        self._add_interface_object_fields()
        self._check_interface_fields_implemented()
        self._merge_directive_definitions()
        return self.out

    def _kind_mismatch(self, name: str, sources: list[tuple[Subgraph, TypeDef]]) -> None:
        first_sub, first = sources[0]
        other_sub, other = next((s, t) for s, t in sources if t.merge_kind != first.merge_kind)
        self.error(
            CompositionErrorCode.TYPE_KIND_MISMATCH,
            f'Type "{name}" has mismatched kind: it is defined as {first.merge_kind.value} in '
            f'subgraph "{first_sub.name}" but {other.merge_kind.value} in subgraph '
            f'"{other_sub.name}"',
            name,
        )

    def _merge_type(self, name: str, sources: list[tuple[Subgraph, TypeDef]]) -> TypeDef | None:
        kind = sources[0][1].merge_kind
        out = TypeDef(kind=kind, name=name)
        out.description = _description([t.description for _, t in sources])
        for s, t in sources:
            keys = t.applied("key")
            for key in keys:
                args: dict[str, ValueNode] = {"graph": self.graph(s)}
                args["key"] = key.args.get("fields", _s(""))
                if t.extension:
                    args["extension"] = BooleanValueNode(value=True)
                if not key_is_resolvable(key):
                    args["resolvable"] = BooleanValueNode(value=False)
                if t.is_interface_object:
                    args["isInterfaceObject"] = BooleanValueNode(value=True)
                out.directives.append(AppliedDirective("join__type", args))
            if not keys:
                out.directives.append(AppliedDirective("join__type", {"graph": self.graph(s)}))
        out.directives.extend(
            merge_directives([t.directives for _, t in sources], self.composed)
        )
        if kind in (TypeKind.OBJECT, TypeKind.INTERFACE):
            self._merge_implements(out, sources)
            self._merge_fields(out, sources)
        elif kind is TypeKind.UNION:
            for s, t in sources:
                for member in t.members:
                    if member not in out.members:
                        out.members.append(member)
                    out.directives.append(AppliedDirective(
                        "join__unionMember", {"graph": self.graph(s), "member": _s(member)}
                    ))
        elif kind is TypeKind.ENUM:
            self._merge_enum(out, sources)
        elif kind is TypeKind.INPUT_OBJECT:
            self._merge_input(out, sources)
        return out

    def _merge_implements(self, out: TypeDef, sources: list[tuple[Subgraph, TypeDef]]) -> None:
        for s, t in sources:
            for interface in t.interfaces:
                if interface not in out.interfaces:
                    out.interfaces.append(interface)
                out.directives.append(AppliedDirective(
                    "join__implements", {"graph": self.graph(s), "interface": _s(interface)}
                ))

    # -- fields of objects and interfaces -------------------------------------

    def _merge_fields(self, out: TypeDef, sources: list[tuple[Subgraph, TypeDef]]) -> None:
        names: list[str] = []
        for _, t in sources:
            names.extend(n for n in t.fields if n not in names)
        for name in names:
            merged = self._merge_field(out, name, sources)
            if merged is not None:
                out.fields[name] = merged

    def _used_in_subgraph(self, sub: Subgraph, type_name: str, field_name: str) -> bool:
        typedef = sub.types[type_name]
        selections = [k.string_arg("fields") or "" for k in typedef.applied("key")]
        for f in typedef.fields.values():
            selections.extend(r.string_arg("fields") or "" for r in f.applied("requires"))
        for fields in selections:
            walk, _ = walk_field_set(sub, type_name, fields)
            if (type_name, field_name) in walk.touched:
                return True
        return False

    def _merge_field(
        self, out: TypeDef, name: str, sources: list[tuple[Subgraph, TypeDef]]
    ) -> FieldDef | None:
        coordinate = f"{out.name}.{name}"
        present = [(s, t, t.fields[name]) for s, t in sources if name in t.fields]
        overridden = self._overrides(coordinate, present)
        # Per source: "skip" (fully overridden), "used" (overridden but still needed), None.
        states: dict[str, str | None] = {}
        for s, _, _ in present:
            state: str | None = None
            if s.name in overridden and overridden[s.name][1] is None:
                state = "used" if self._used_in_subgraph(s, out.name, name) else "skip"
            states[s.name] = state
        live = [(s, t, f) for s, t, f in present if states[s.name] != "skip"]
        externals = [s.name for s, _, f in live if f.has("external")]
        if out.kind is TypeKind.OBJECT and externals and len(externals) == len(live):
            self.error(
                CompositionErrorCode.EXTERNAL_MISSING_ON_BASE,
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f"listed ({_subgraphs_text(externals)}).",
                coordinate,
            )
            return None
        types = [f.type for _, _, f in live]
        owned = [(s.name, f.type) for s, _, f in live if not f.has("external")] or [
            (s.name, f.type) for s, _, f in live
        ]
        merged_type = widest([t for _, t in owned], self.implements)
        if merged_type is None:
            self._type_mismatch(coordinate, owned, "field")
            return None
        for s, _, f in live:
            if f.has("external") and f.type != merged_type and not (
                is_subtype(f.type, merged_type, self.implements)
                or is_subtype(merged_type, f.type, self.implements)
            ):
                owner = next(n for n, t in owned if t == merged_type)
                self.error(
                    CompositionErrorCode.EXTERNAL_TYPE_MISMATCH,
                    f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                    f'@external): it has type "{merged_type}" in subgraph "{owner}" but type '
                    f'"{f.type}" in subgraph "{s.name}"',
                    coordinate,
                )
                return None
        all_equal = len(set(types)) == 1
        if out.kind is TypeKind.OBJECT:
            self._check_sharing(coordinate, name, live, overridden, states)
        result = FieldDef(name=name, type=merged_type)
        result.description = _description([f.description for _, _, f in live])
        result.args = self._merge_arguments(coordinate, [(s.name, f) for s, _, f in live])
        result.directives.extend(self._join_fields(out.name, present, states, overridden,
                                                   all_equal))
        result.directives.extend(
            merge_directives([f.directives for _, _, f in live], self.composed)
        )
        return result

    def _overrides(
        self, coordinate: str, present: list[tuple[Subgraph, TypeDef, FieldDef]]
    ) -> dict[str, tuple[str, str | None]]:
        """Valid @override of one field: overridden subgraph -> (overriding one, label)."""
        result: dict[str, tuple[str, str | None]] = {}
        having = {s.name: f for s, _, f in present}
        for s, _, f in present:
            for o in f.applied("override"):
                source = o.string_arg("from") or ""
                if source == s.name:
                    self.error(CompositionErrorCode.OVERRIDE_FROM_SELF_ERROR,
                               f'Source and destination subgraphs "{s.name}" are the same for '
                               f'overridden field "{coordinate}"', coordinate)
                elif source in having and having[source].has("override"):
                    self.error(CompositionErrorCode.OVERRIDE_SOURCE_HAS_OVERRIDE,
                               f'Field "{coordinate}" on subgraph "{s.name}" is also marked with '
                               f'directive @override in subgraph "{source}". Only one @override '
                               "directive is allowed per field.", coordinate)
                elif f.has("external"):
                    self.error(CompositionErrorCode.OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
                               f'@override cannot be used on field "{coordinate}" on subgraph '
                               f'"{s.name}" since "{coordinate}" on "{s.name}" is marked with '
                               'directive "@external"', coordinate)
                else:
                    result[source] = (s.name, o.string_arg("label"))
                    if source not in self.by_name:
                        self.hint(CompositionHintCode.FROM_SUBGRAPH_DOES_NOT_EXIST,
                                  f'Source subgraph "{source}" for field "{coordinate}" on '
                                  f'subgraph "{s.name}" does not exist.', coordinate)
        return result

    def _type_mismatch(self, coordinate: str, typed: list[tuple[str, str]], what: str) -> None:
        first_sub, first = typed[0]
        other_sub, other = next((s, t) for s, t in typed if t != first)
        code = (CompositionErrorCode.FIELD_TYPE_MISMATCH if what == "field"
                else CompositionErrorCode.FIELD_ARGUMENT_TYPE_MISMATCH)
        self.error(
            code,
            f'Type of {what} "{coordinate}" is incompatible across subgraphs: it has type '
            f'"{first}" in subgraph "{first_sub}" but type "{other}" in subgraph "{other_sub}"',
            coordinate,
        )

    def _check_sharing(
        self,
        coordinate: str,
        name: str,
        live: list[tuple[Subgraph, TypeDef, FieldDef]],
        overridden: dict[str, tuple[str, str | None]],
        states: dict[str, str | None],
    ) -> None:
        resolving = [
            (s, t, f) for s, t, f in live
            if (not f.has("external") or (t.name, name) in self.provided[s.name])
            and states[s.name] is None and s.name not in overridden
        ]
        if len(resolving) < 2:
            return
        non_shareable = [
            s.name for s, t, f in resolving
            if not (f.has("shareable") or name in t.shareable_fields or f.has("external"))
        ]
        if not non_shareable:
            return
        where = ("all of them" if len(non_shareable) == len(resolving)
                 else _subgraphs_text(non_shareable))
        self.error(
            CompositionErrorCode.INVALID_FIELD_SHARING,
            f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
            f"resolved from {_subgraphs_text([s.name for s, _, _ in resolving])} and defined "
            f"as non-shareable in {where}",
            coordinate,
        )

    def _join_fields(
        self,
        type_name: str,
        present: list[tuple[Subgraph, TypeDef, FieldDef]],
        states: dict[str, str | None],
        overridden: dict[str, tuple[str, str | None]],
        all_equal: bool,
    ) -> list[AppliedDirective]:
        labelled = any(label for _, label in overridden.values())
        needed = not all_equal or labelled or any(v == "used" for v in states.values())
        having = {s.name for s, _, _ in present if states[s.name] != "skip"}
        for s, _, f in present:
            if states[s.name] == "skip":
                continue
            if f.has("external") or f.has("provides") or f.has("requires"):
                needed = True
        if any(type_name in s.types and s.name not in having for s in self.subs):
            needed = True
        if not needed:
            return []
        result: list[AppliedDirective] = []
        for s, _, f in present:
            state = states[s.name]
            if state == "skip":
                continue
            args: dict[str, ValueNode] = {"graph": self.graph(s)}
            for directive in ("requires", "provides"):
                applied = f.applied(directive)
                if applied:
                    args[directive] = applied[0].args.get("fields", _s(""))
            if not all_equal:
                args["type"] = _s(f.type)
            if f.has("external"):
                args["external"] = BooleanValueNode(value=True)
            for o in f.applied("override"):
                args["override"] = _s(o.string_arg("from") or "")
                label = o.string_arg("label")
                if label:
                    args["overrideLabel"] = _s(label)
            if state == "used":
                args["usedOverridden"] = BooleanValueNode(value=True)
            if s.name in overridden and overridden[s.name][1]:
                args["overrideLabel"] = _s(overridden[s.name][1] or "")
            result.append(AppliedDirective("join__field", args))
        return result

    def _merge_arguments(
        self, coordinate: str, fields: list[tuple[str, FieldDef]]
    ) -> dict[str, InputValueDef]:
        names: list[str] = []
        for _, f in fields:
            names.extend(n for n in f.args if n not in names)
        result: dict[str, InputValueDef] = {}
        for name in names:
            arg_coordinate = f"{coordinate}({name}:)"
            present = [(s, f.args[name]) for s, f in fields if name in f.args]
            missing = [s for s, f in fields if name not in f.args]
            merged = self._merge_input_value(arg_coordinate, present, "argument")
            if merged is None:
                continue
            if missing:
                required = [s for s, v in present if v.type.endswith("!") and v.default is None]
                if required:
                    self.error(
                        CompositionErrorCode.REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH,
                        f'Argument "{arg_coordinate}" is required in some subgraphs but does not '
                        f"appear in all subgraphs: it is required in {_subgraphs_text(required)} "
                        f"but does not appear in {_subgraphs_text(missing)}",
                        arg_coordinate,
                    )
                else:
                    self.hint(CompositionHintCode.INCONSISTENT_ARGUMENT_PRESENCE,
                              f'Optional argument "{arg_coordinate}" will not be included in the '
                              f"supergraph as it does not appear in {_subgraphs_text(missing)}",
                              arg_coordinate)
                continue
            result[name] = merged
        return result

    def _merge_input_value(
        self, coordinate: str, values: list[tuple[str, InputValueDef]], what: str
    ) -> InputValueDef | None:
        types = [v.type for _, v in values]
        merged_type = narrowest(types, lambda a, b: a == b)
        if merged_type is None:
            code = (CompositionErrorCode.FIELD_ARGUMENT_TYPE_MISMATCH if what == "argument"
                    else CompositionErrorCode.FIELD_TYPE_MISMATCH)
            first_sub, first = values[0][0], types[0]
            other_sub, other = next((s, v.type) for s, v in values if v.type != first)
            self.error(
                code,
                f'Type of {what} "{coordinate}" is incompatible across subgraphs: it has type '
                f'"{first}" in subgraph "{first_sub}" but type "{other}" in subgraph '
                f'"{other_sub}"',
                coordinate,
            )
            return None
        defaults = {s: print_ast(v.default) if v.default else None for s, v in values}
        distinct = {d for d in defaults.values() if d is not None}
        if len(distinct) > 1:
            shown = ", ".join(
                f'{d or "no default"} in subgraph "{s}"' for s, d in defaults.items()
            )
            self.error(
                CompositionErrorCode.FIELD_ARGUMENT_DEFAULT_MISMATCH
                if what == "argument" else CompositionErrorCode.INPUT_FIELD_DEFAULT_MISMATCH,
                f'{what.capitalize()} "{coordinate}" has incompatible default values across '
                f"subgraphs: {shown}",
                coordinate,
            )
            return None
        # A default only some subgraphs declare is dropped (Apollo does the same).
        default = values[0][1].default if None not in defaults.values() else None
        first_value = values[0][1]
        return InputValueDef(
            name=first_value.name,
            type=merged_type,
            default=default,
            description=_description([v.description for _, v in values]),
            directives=merge_directives([v.directives for _, v in values], self.composed),
        )

    # -- input objects and enums ---------------------------------------------

    def _merge_input(self, out: TypeDef, sources: list[tuple[Subgraph, TypeDef]]) -> None:
        names: list[str] = []
        for _, t in sources:
            names.extend(n for n in t.input_fields if n not in names)
        for name in names:
            coordinate = f"{out.name}.{name}"
            present = [(s.name, t.input_fields[name]) for s, t in sources
                       if name in t.input_fields]
            merged = self._merge_input_value(coordinate, present, "input field")
            if merged is None:
                continue
            if len(present) < len(sources):
                missing = [s.name for s, t in sources if name not in t.input_fields]
                required = [s for s, v in present if v.type.endswith("!") and v.default is None]
                if required:
                    self.error(
                        CompositionErrorCode.REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH,
                        f'Input object field "{coordinate}" is required in some subgraphs but '
                        f"does not appear in all subgraphs: it is required in "
                        f"{_subgraphs_text(required)} but does not appear in "
                        f"{_subgraphs_text(missing)}",
                        coordinate,
                    )
                else:
                    self.hint(CompositionHintCode.INCONSISTENT_INPUT_OBJECT_FIELD,
                              f'Input object field "{coordinate}" will not be included in the '
                              f"supergraph as it does not appear in {_subgraphs_text(missing)}",
                              coordinate)
                continue
            if len({v.type for _, v in present}) > 1:
                merged.directives[:0] = [
                    AppliedDirective("join__field", {"graph": self.graph(self.by_name[s]),
                                                     "type": _s(v.type)})
                    for s, v in present
                ]
            out.input_fields[name] = merged
        if not out.input_fields:
            self.error(
                CompositionErrorCode.EMPTY_MERGED_INPUT_TYPE,
                f'None of the fields of input object type "{out.name}" are consistently defined '
                "in all the subgraphs defining that type. As only fields common to all subgraphs "
                "are merged, this would result in an empty type (defined in "
                f"{_subgraphs_text([s.name for s, _ in sources])}).",
                out.name,
            )

    def _merge_enum(self, out: TypeDef, sources: list[tuple[Subgraph, TypeDef]]) -> None:
        names: list[str] = []
        for _, t in sources:
            names.extend(n for n in t.values if n not in names)
        as_input = out.name in self.input_usage
        as_output = out.name in self.output_usage
        kept: list[str] = []
        for name in names:
            having = [s.name for s, t in sources if name in t.values]
            missing = [s.name for s, t in sources if name not in t.values]
            if not missing:
                kept.append(name)
            elif as_input and as_output:
                self.error(
                    CompositionErrorCode.ENUM_VALUE_MISMATCH,
                    f'Enum type "{out.name}" is used as both input type (for example, as type of '
                    f'"{self.input_usage[out.name]}") and output type (for example, as type of '
                    f'"{self.output_usage[out.name]}"), but value "{name}" is not defined in all '
                    f'the subgraphs defining "{out.name}": "{name}" is defined in '
                    f"{_subgraphs_text(having)} but not in {_subgraphs_text(missing)}",
                    f"{out.name}.{name}",
                )
            elif as_input:
                self.hint(CompositionHintCode.INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM,
                          f'Value "{name}" of enum type "{out.name}" will not be part of the '
                          f"supergraph as it is not defined in {_subgraphs_text(missing)}",
                          f"{out.name}.{name}")
            else:
                kept.append(name)
        if not kept and not (as_input and as_output):
            self.error(
                CompositionErrorCode.EMPTY_MERGED_ENUM_TYPE,
                f'None of the values of enum type "{out.name}" are defined consistently in all '
                "the subgraphs defining that type. As only values common to all subgraphs are "
                "merged, this would result in an empty type (defined in "
                f"{_subgraphs_text([s.name for s, _ in sources])}).",
                out.name,
            )
        for name in kept:
            values = [(s, t.values[name]) for s, t in sources if name in t.values]
            merged = EnumValueDef(name=name)
            merged.description = _description([v.description for _, v in values])
            merged.directives = [
                AppliedDirective("join__enumValue", {"graph": self.graph(s)}) for s, _ in values
            ]
            merged.directives.extend(
                merge_directives([v.directives for _, v in values], self.composed)
            )
            out.values[name] = merged

    # -- after all types -----------------------------------------------------

    def _add_interface_object_fields(self) -> None:
        for interface in self.out.types.values():
            if interface.kind is not TypeKind.INTERFACE:
                continue
            io_sources = [
                s for s in self.subs
                if (t := s.types.get(interface.name)) is not None and t.is_interface_object
            ]
            if not io_sources:
                continue
            io_fields = {n for s in io_sources for n in s.types[interface.name].fields}
            for obj in self.out.types.values():
                if interface.name not in obj.interfaces:
                    continue
                for name in io_fields:
                    if name in obj.fields or name not in interface.fields:
                        continue
                    source = interface.fields[name]
                    obj.fields[name] = FieldDef(
                        name=name, type=source.type, args=dict(source.args),
                        description=source.description,
                        directives=[AppliedDirective("join__field")],
                    )

    def _check_interface_fields_implemented(self) -> None:
        for interface in self.out.types.values():
            if interface.kind is not TypeKind.INTERFACE:
                continue
            for obj in self.out.types.values():
                if interface.name not in obj.interfaces:
                    continue
                for name in interface.fields:
                    if name in obj.fields:
                        continue
                    declared = [s.name for s in self.subs if name in getattr(
                        s.types.get(interface.name), "fields", {})]
                    implementing = [s.name for s in self.subs
                                    if interface.name in getattr(s.types.get(obj.name),
                                                                 "interfaces", [])]
                    self.error(
                        CompositionErrorCode.INTERFACE_FIELD_NO_IMPLEM,
                        f'Interface field "{interface.name}.{name}" is declared in '
                        f'{_subgraphs_text(declared)} but type "{obj.name}", which implements '
                        f'"{interface.name}" only in {_subgraphs_text(implementing)} does not '
                        f'have field "{name}".',
                        f"{obj.name}.{name}",
                    )

    def _merge_directive_definitions(self) -> None:
        for name in self.composed:
            definition = next(
                (s.directive_defs[name] for s in self.subs if name in s.directive_defs), None
            )
            if definition is not None:
                self.out.directive_defs.append(definition)
            link = next(
                (link for s in self.subs for link in s.links if f"@{name}" in link.imports), None
            )
            if link is not None:
                existing = next((e for e in self.out.composed_links if e[0] == link.url), None)
                if existing is None:
                    self.out.composed_links.append((link.url, [f"@{name}"]))
                elif f"@{name}" not in existing[1]:
                    existing[1].append(f"@{name}")
        names: list[str] = []
        for s in self.subs:
            names.extend(n for n in s.directive_defs if n not in names)
        for name in names:
            if name in self.composed:
                continue
            definitions = [s.directive_defs.get(name) for s in self.subs]
            if any(d is None for d in definitions):
                continue
            present = [d for d in definitions if d is not None]
            locations = [
                loc.value for loc in present[0].locations
                if loc.value in EXECUTABLE_LOCATIONS
                and all(loc.value in {x.value for x in d.locations} for d in present)
            ]
            if not locations:
                continue
            arg_names = [
                a.name.value for a in present[0].arguments or ()
                if all(a.name.value in {b.name.value for b in d.arguments or ()} for d in present)
            ]
            first = present[0]
            self.out.directive_defs.append(DirectiveDefinitionNode(
                name=first.name,
                description=first.description,
                arguments=tuple(a for a in first.arguments or () if a.name.value in arg_names),
                repeatable=all(d.repeatable for d in present),
                locations=tuple(loc for loc in first.locations if loc.value in locations),
            ))


def merge(subgraphs: list[Subgraph]) -> tuple[Supergraph, list[CompositionError],
                                                list[CompositionHint]]:
    merger = Merger(subgraphs)
    supergraph = merger.merge()
    return supergraph, merger.errors, merger.hints
