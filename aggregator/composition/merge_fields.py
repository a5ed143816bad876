"""Merging of object and interface fields across subgraphs.

Output types widen to the one type every subgraph's type fits in; a field
resolved by several subgraphs must be @shareable (or a key field, or from a
Fed 1 subgraph) in each; @override moves ownership (with a label, only for a
share of traffic); ``@join__field`` records per subgraph what the planner
needs (requires, provides, external, type, override) and is left out when
the field is plainly resolvable everywhere its type lives.
"""

from __future__ import annotations

from graphql.language import (
    BooleanValueNode,
    ListValueNode,
    NameNode,
    ObjectFieldNode,
    ObjectValueNode,
    ValueNode,
)

from aggregator.composition.directives import merge_directives
from aggregator.composition.errors import (
    CompositionErrorCode,
    CompositionHintCode,
)
from aggregator.composition.merge_context import (
    pick_description,
    string_value,
    subgraphs_text,
)
from aggregator.composition.merge_values import ValueMerging
from aggregator.composition.model import (
    AppliedDirective,
    FieldDef,
    Subgraph,
    TypeDef,
    TypeKind,
)
from aggregator.composition.types import is_subtype, widest


def _context_arguments(subgraph: str, field: FieldDef) -> ListValueNode:
    """Arguments filled from a @context: described for the planner, hidden from clients."""
    entries: list[ObjectValueNode] = []
    for arg in field.args.values():
        for from_context in arg.applied("fromContext"):
            reference = from_context.string_arg("field") or ""
            context, _, selection = reference.lstrip("$").partition(" ")
            values = {
                "context": f"{subgraph}__{context}",
                "name": arg.name,
                "type": arg.type,
                "selection": " " + selection if selection else "",
            }
            entries.append(
                ObjectValueNode(
                    fields=tuple(
                        ObjectFieldNode(name=NameNode(value=k), value=string_value(v))
                        for k, v in values.items()
                    )
                )
            )
    return ListValueNode(values=tuple(entries))


class FieldMerging(ValueMerging):
    def _merge_fields(self, out: TypeDef, sources: list[tuple[Subgraph, TypeDef]]) -> None:
        names: list[str] = []
        for _, t in sources:
            names.extend(n for n in t.fields if n not in names)
        for name in names:
            merged = self._merge_field(out, name, sources)
            if merged is not None:
                out.fields[name] = merged

    def _merge_field(
        self, out: TypeDef, name: str, sources: list[tuple[Subgraph, TypeDef]]
    ) -> FieldDef | None:
        coordinate = f"{out.name}.{name}"
        present = [(s, t, t.fields[name]) for s, t in sources if name in t.fields]
        overridden = self._overrides(coordinate, present)
        # Per source: "skip" (fully overridden), "used" (overridden but still selected by
        # its subgraph's @key/@requires/@provides or implementing an interface field), None.
        states: dict[str, str | None] = {}
        for s, _, _ in present:
            state: str | None = None
            if s.name in overridden:
                if (out.name, name) in self.used[s.name]:
                    state = "used"
                elif overridden[s.name][1] is None:
                    state = "skip"
            states[s.name] = state
        live = [(s, t, f) for s, t, f in present if states[s.name] != "skip"]
        externals = [s.name for s, _, f in live if f.has("external")]
        if out.kind is TypeKind.OBJECT and externals and len(externals) == len(live):
            self.error(
                CompositionErrorCode.EXTERNAL_MISSING_ON_BASE,
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f"listed ({subgraphs_text(externals)}).",
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
            if (
                f.has("external")
                and f.type != merged_type
                and not (
                    is_subtype(f.type, merged_type, self.implements)
                    or is_subtype(merged_type, f.type, self.implements)
                )
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
        result.description = pick_description([f.description for _, _, f in live])
        result.args = self._merge_arguments(coordinate, [(s.name, f) for s, _, f in live])
        result.directives.extend(
            self._join_fields(out.name, present, states, overridden, all_equal)
        )
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
                    self.error(
                        CompositionErrorCode.OVERRIDE_FROM_SELF_ERROR,
                        f'Source and destination subgraphs "{s.name}" are the same for '
                        f'overridden field "{coordinate}"',
                        coordinate,
                    )
                elif source in having and having[source].has("override"):
                    self.error(
                        CompositionErrorCode.OVERRIDE_SOURCE_HAS_OVERRIDE,
                        f'Field "{coordinate}" on subgraph "{s.name}" is also marked with '
                        f'directive @override in subgraph "{source}". Only one @override '
                        "directive is allowed per field.",
                        coordinate,
                    )
                elif f.has("external"):
                    self.error(
                        CompositionErrorCode.OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
                        f'@override cannot be used on field "{coordinate}" on subgraph '
                        f'"{s.name}" since "{coordinate}" on "{s.name}" is marked with '
                        'directive "@external"',
                        coordinate,
                    )
                elif (
                    source in having
                    and having[source].has("external")
                    and not o.string_arg("label")
                ):
                    # The source does not resolve the field: nothing is taken from it.
                    self.hint(
                        CompositionHintCode.OVERRIDE_DIRECTIVE_CAN_BE_REMOVED,
                        f'Field "{coordinate}" on subgraph "{s.name}" is not resolved '
                        f'anymore by the from subgraph (it is marked "@external" in '
                        f'"{source}"). The @override directive can be removed.',
                        coordinate,
                    )
                else:
                    result[source] = (s.name, o.string_arg("label"))
                    if source not in self.by_name:
                        self.hint(
                            CompositionHintCode.FROM_SUBGRAPH_DOES_NOT_EXIST,
                            f'Source subgraph "{source}" for field "{coordinate}" on '
                            f'subgraph "{s.name}" does not exist.',
                            coordinate,
                        )
        return result

    def _type_mismatch(self, coordinate: str, typed: list[tuple[str, str]], what: str) -> None:
        first_sub, first = typed[0]
        other_sub, other = next((s, t) for s, t in typed if t != first)
        code = (
            CompositionErrorCode.FIELD_TYPE_MISMATCH
            if what == "field"
            else CompositionErrorCode.FIELD_ARGUMENT_TYPE_MISMATCH
        )
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
            (s, t, f)
            for s, t, f in live
            if (not f.has("external") or (t.name, name) in self.provided[s.name])
            and states[s.name] is None
            and s.name not in overridden
        ]
        if len(resolving) < 2:
            return
        non_shareable = [
            s.name
            for s, t, f in resolving
            if not (f.has("shareable") or name in t.shareable_fields or f.has("external"))
        ]
        if not non_shareable:
            return
        where = (
            "all of them" if len(non_shareable) == len(resolving) else subgraphs_text(non_shareable)
        )
        self.error(
            CompositionErrorCode.INVALID_FIELD_SHARING,
            f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
            f"resolved from {subgraphs_text([s.name for s, _, _ in resolving])} and defined "
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
            if any(a.has("fromContext") for a in f.args.values()):
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
                    args[directive] = applied[0].args.get("fields", string_value(""))
            if not all_equal:
                args["type"] = string_value(f.type)
            if f.has("external"):
                args["external"] = BooleanValueNode(value=True)
            for o in f.applied("override"):
                args["override"] = string_value(o.string_arg("from") or "")
                label = o.string_arg("label")
                if label:
                    args["overrideLabel"] = string_value(label)
            if state == "used":
                args["usedOverridden"] = BooleanValueNode(value=True)
            if s.name in overridden and overridden[s.name][1]:
                args["overrideLabel"] = string_value(overridden[s.name][1] or "")
            context_arguments = _context_arguments(s.name, f)
            if context_arguments.values:
                args["contextArguments"] = context_arguments
            result.append(AppliedDirective("join__field", args))
        return result
