"""Merge validated subgraphs into one supergraph model with join directives.

The rules are Apollo Federation 2's: types of one name must share a kind;
output field types widen and argument/input types narrow; input objects and
arguments keep what every subgraph has; enums merge by usage (output-only:
union, input-only: intersection, both: must agree); a field resolved by
several subgraphs must be @shareable there. ``@join__*`` directives record
which subgraph owns what, and are left out where they would say nothing new.
"""

from __future__ import annotations

from graphql.language import (
    BooleanValueNode,
    ValueNode,
)

from aggregator.composition.auth_requirements import check_transitive_auth
from aggregator.composition.directives import merge_directives
from aggregator.composition.errors import (
    CompositionError,
    CompositionErrorCode,
    CompositionHint,
)
from aggregator.composition.merge_checks import MergeChecks
from aggregator.composition.merge_context import (
    Supergraph,
    pick_description,
    string_value,
)
from aggregator.composition.merge_fields import FieldMerging
from aggregator.composition.model import (
    AppliedDirective,
    Subgraph,
    TypeDef,
    TypeKind,
)

__all__ = ["Merger", "Supergraph", "merge"]


class Merger(FieldMerging, MergeChecks):
    """All merge stages over one set of subgraphs; ``merge()`` runs them in order."""

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
        self._check_interface_keys_see_all_implementations()
        self._merge_directive_definitions()
        query = self.out.types.get("Query")
        if query is None or not query.fields:
            self.error(
                CompositionErrorCode.NO_QUERIES,
                "No queries found in any subgraph: a supergraph must have a query root type "
                f"(subgraphs: {', '.join(s.name for s in self.subs)}).",
                None,
            )
        if not self.errors:
            # As Apollo: the merged result is checked only when merging went well, and
            # these checks all run (an error of one does not hide those of another).
            self._check_interface_fields_implemented()
            self.errors.extend(check_transitive_auth(self.out))
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
        out.description = pick_description([t.description for _, t in sources])
        for s, t in sources:
            keys = t.applied("key")
            for key in keys:
                args: dict[str, ValueNode] = {"graph": self.graph(s)}
                args["key"] = key.args.get("fields", string_value(""))
                if key.in_extension or t.has("extends"):
                    args["extension"] = BooleanValueNode(value=True)
                if "resolvable" in key.args:  # Apollo repeats an explicit value, even `true`
                    args["resolvable"] = key.args["resolvable"]
                if t.is_interface_object:
                    args["isInterfaceObject"] = BooleanValueNode(value=True)
                out.directives.append(AppliedDirective("join__type", args))
            if not keys:
                out.directives.append(AppliedDirective("join__type", {"graph": self.graph(s)}))
        out.directives.extend(merge_directives([t.directives for _, t in sources], self.composed))
        for s, t in sources:
            for context in t.applied("context"):
                name = f"{s.name}__{context.string_arg('name') or ''}"
                out.directives.append(AppliedDirective("context", {"name": string_value(name)}))
        if kind in (TypeKind.OBJECT, TypeKind.INTERFACE):
            self._merge_implements(out, sources)
            self._merge_fields(out, sources)
        elif kind is TypeKind.UNION:
            for s, t in sources:
                for member in t.members:
                    if member not in out.members:
                        out.members.append(member)
                    args = {"graph": self.graph(s), "member": string_value(member)}
                    out.directives.append(AppliedDirective("join__unionMember", args))
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
                args = {"graph": self.graph(s), "interface": string_value(interface)}
                out.directives.append(AppliedDirective("join__implements", args))

    # -- fields of objects and interfaces -------------------------------------


def merge(
    subgraphs: list[Subgraph],
) -> tuple[Supergraph, list[CompositionError], list[CompositionHint]]:
    merger = Merger(subgraphs)
    supergraph = merger.merge()
    return supergraph, merger.errors, merger.hints
