"""Merging of input values (arguments, input object fields) and enums.

Inputs narrow: an argument or input field is kept only if every subgraph
has it, with the most restrictive type, and a default only all agree on.
Enum values merge by how the enum is used: output-only enums take the union
of values, input-only enums the intersection, and enums used both ways must
have the same values everywhere.
"""

from __future__ import annotations

from graphql.language import (
    print_ast,
)

from aggregator.composition.directives import merge_directives
from aggregator.composition.errors import (
    CompositionErrorCode,
    CompositionHintCode,
)
from aggregator.composition.merge_context import (
    MergeContext,
    pick_description,
    string_value,
    subgraphs_text,
)
from aggregator.composition.model import (
    AppliedDirective,
    EnumValueDef,
    FieldDef,
    InputValueDef,
    Subgraph,
    TypeDef,
)
from aggregator.composition.types import narrowest


class ValueMerging(MergeContext):
    def _merge_arguments(
        self, coordinate: str, fields: list[tuple[str, FieldDef]]
    ) -> dict[str, InputValueDef]:
        names: list[str] = []
        for _, f in fields:
            names.extend(n for n in f.args if n not in names)
        from_context = {n for _, f in fields for n, a in f.args.items() if a.has("fromContext")}
        result: dict[str, InputValueDef] = {}
        for name in names:
            if name in from_context:
                continue  # filled by the router from a @context, never by clients
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
                        f"appear in all subgraphs: it is required in {subgraphs_text(required)} "
                        f"but does not appear in {subgraphs_text(missing)}",
                        arg_coordinate,
                    )
                else:
                    self.hint(
                        CompositionHintCode.INCONSISTENT_ARGUMENT_PRESENCE,
                        f'Optional argument "{arg_coordinate}" will not be included in the '
                        f"supergraph as it does not appear in {subgraphs_text(missing)}",
                        arg_coordinate,
                    )
                continue
            result[name] = merged
        return result

    def _merge_input_value(
        self, coordinate: str, values: list[tuple[str, InputValueDef]], what: str
    ) -> InputValueDef | None:
        types = [v.type for _, v in values]
        merged_type = narrowest(types, lambda a, b: a == b)
        if merged_type is None:
            code = (
                CompositionErrorCode.FIELD_ARGUMENT_TYPE_MISMATCH
                if what == "argument"
                else CompositionErrorCode.FIELD_TYPE_MISMATCH
            )
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
            shown = ", ".join(f'{d or "no default"} in subgraph "{s}"' for s, d in defaults.items())
            self.error(
                CompositionErrorCode.FIELD_ARGUMENT_DEFAULT_MISMATCH
                if what == "argument"
                else CompositionErrorCode.INPUT_FIELD_DEFAULT_MISMATCH,
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
            description=pick_description([v.description for _, v in values]),
            directives=merge_directives([v.directives for _, v in values], self.composed),
        )

    # -- input objects and enums ---------------------------------------------

    def _merge_input(self, out: TypeDef, sources: list[tuple[Subgraph, TypeDef]]) -> None:
        names: list[str] = []
        for _, t in sources:
            names.extend(n for n in t.input_fields if n not in names)
        for name in names:
            coordinate = f"{out.name}.{name}"
            present = [(s.name, t.input_fields[name]) for s, t in sources if name in t.input_fields]
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
                        f"{subgraphs_text(required)} but does not appear in "
                        f"{subgraphs_text(missing)}",
                        coordinate,
                    )
                else:
                    self.hint(
                        CompositionHintCode.INCONSISTENT_INPUT_OBJECT_FIELD,
                        f'Input object field "{coordinate}" will not be included in the '
                        f"supergraph as it does not appear in {subgraphs_text(missing)}",
                        coordinate,
                    )
                continue
            if len({v.type for _, v in present}) > 1:
                merged.directives[:0] = [
                    AppliedDirective(
                        "join__field",
                        {"graph": self.graph(self.by_name[s]), "type": string_value(v.type)},
                    )
                    for s, v in present
                ]
            out.input_fields[name] = merged
        if not out.input_fields:
            self.error(
                CompositionErrorCode.EMPTY_MERGED_INPUT_TYPE,
                f'None of the fields of input object type "{out.name}" are consistently defined '
                "in all the subgraphs defining that type. As only fields common to all subgraphs "
                "are merged, this would result in an empty type (defined in "
                f"{subgraphs_text([s.name for s, _ in sources])}).",
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
            hidden = any(t.values[name].has("inaccessible") for _, t in sources if name in t.values)
            if not missing or hidden:
                # An @inaccessible value is never seen by clients, so it may differ freely.
                kept.append(name)
            elif as_input and as_output:
                self.error(
                    CompositionErrorCode.ENUM_VALUE_MISMATCH,
                    f'Enum type "{out.name}" is used as both input type (for example, as type of '
                    f'"{self.input_usage[out.name]}") and output type (for example, as type of '
                    f'"{self.output_usage[out.name]}"), but value "{name}" is not defined in all '
                    f'the subgraphs defining "{out.name}": "{name}" is defined in '
                    f"{subgraphs_text(having)} but not in {subgraphs_text(missing)}",
                    f"{out.name}.{name}",
                )
            elif as_input:
                self.hint(
                    CompositionHintCode.INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM,
                    f'Value "{name}" of enum type "{out.name}" will not be part of the '
                    f"supergraph as it is not defined in {subgraphs_text(missing)}",
                    f"{out.name}.{name}",
                )
            else:
                kept.append(name)
        if not kept and not (as_input and as_output):
            self.error(
                CompositionErrorCode.EMPTY_MERGED_ENUM_TYPE,
                f'None of the values of enum type "{out.name}" are defined consistently in all '
                "the subgraphs defining that type. As only values common to all subgraphs are "
                "merged, this would result in an empty type (defined in "
                f"{subgraphs_text([s.name for s, _ in sources])}).",
                out.name,
            )
        for name in kept:
            values = [(s, t.values[name]) for s, t in sources if name in t.values]
            merged = EnumValueDef(name=name)
            merged.description = pick_description([v.description for _, v in values])
            merged.directives = [
                AppliedDirective("join__enumValue", {"graph": self.graph(s)}) for s, _ in values
            ]
            merged.directives.extend(
                merge_directives([v.directives for _, v in values], self.composed)
            )
            out.values[name] = merged

    # -- after all types -----------------------------------------------------
