"""Merge checks that look at several types at once, and what is added after merging.

Before merging: import names of spec directives agree, @interfaceObject has
an interface with a key to stand for, extensions have a base. After: fields
that @interfaceObject subgraphs add to an interface are added to its
implementations, every implementation has every interface field, and
executable and composed directive definitions are merged.
"""

from __future__ import annotations

from graphql.language import (
    DirectiveDefinitionNode,
)

from aggregator.composition.errors import (
    CompositionErrorCode,
)
from aggregator.composition.merge_context import (
    EXECUTABLE_LOCATIONS,
    ROOT_TYPE_NAMES,
    SUPERGRAPH_SPEC_DIRECTIVES,
    MergeContext,
    subgraphs_text,
)
from aggregator.composition.model import (
    AppliedDirective,
    FieldDef,
    TypeKind,
)
from aggregator.composition.validation import key_is_resolvable


class MergeChecks(MergeContext):
    def _check_import_names(self) -> None:
        for directive in SUPERGRAPH_SPEC_DIRECTIVES:
            local = {
                s.name: s.imported_as[directive] for s in self.subs if directive in s.imported_as
            }
            distinct = sorted(set(local.values()))
            if len(distinct) > 1:
                first = next(iter(local.items()))
                other = next((s, n) for s, n in local.items() if n != first[1])
                self.error(
                    CompositionErrorCode.LINK_IMPORT_NAME_MISMATCH,
                    f'The "@{directive}" directive (from https://specs.apollo.dev/federation) is '
                    f"imported with mismatched name between subgraphs: it is imported as "
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
            if any(t.kind is TypeKind.INTERFACE and t.has("key") for _, t in sources):
                continue
            users = [s.name for s, t in sources if t.is_interface_object]
            self.error(
                CompositionErrorCode.INTERFACE_OBJECT_USAGE_ERROR,
                f'The @interfaceObject directive is used on type "{name}" in '
                f"{subgraphs_text(users)}, which requires other subgraphs to resolve its "
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
                    f"{subgraphs_text([s.name for s in self.subs if name in s.types])}).",
                    name,
                )

    def _add_interface_object_fields(self) -> None:
        for interface in self.out.types.values():
            if interface.kind is not TypeKind.INTERFACE:
                continue
            io_sources = [
                s
                for s in self.subs
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
                        name=name,
                        type=source.type,
                        args=dict(source.args),
                        description=source.description,
                        directives=[AppliedDirective("join__field")],
                    )

    def _check_interface_keys_see_all_implementations(self) -> None:
        """A subgraph resolving an interface by key must know every implementation."""
        for interface in self.out.types.values():
            if interface.kind is not TypeKind.INTERFACE:
                continue
            implementations = [
                o.name
                for o in self.out.types.values()
                if o.kind is TypeKind.OBJECT and interface.name in o.interfaces
            ]
            for sub in self.subs:
                local = sub.types.get(interface.name)
                if local is None or local.kind is not TypeKind.INTERFACE:
                    continue
                keys = [k for k in local.applied("key") if key_is_resolvable(k)]
                if not keys:
                    continue
                missing = [
                    o
                    for o in implementations
                    if interface.name not in getattr(sub.types.get(o), "interfaces", [])
                ]
                if missing:
                    names = ", ".join(f'"{m}"' for m in missing)
                    self.error(
                        CompositionErrorCode.INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE,
                        f'[{sub.name}] Interface type "{interface.name}" has a resolvable key '
                        f'(@key(fields: "{keys[0].string_arg("fields")}")) in subgraph '
                        f'"{sub.name}" but that subgraph is missing some of the supergraph '
                        f'implementation types of "{interface.name}". Subgraph "{sub.name}" '
                        f"should define type(s) {names} (and have them implement "
                        f'"{interface.name}").',
                        interface.name,
                        sub.name,
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
                    declared = [
                        s.name
                        for s in self.subs
                        if name in getattr(s.types.get(interface.name), "fields", {})
                    ]
                    implementing = [
                        s.name
                        for s in self.subs
                        if interface.name in getattr(s.types.get(obj.name), "interfaces", [])
                    ]
                    self.error(
                        CompositionErrorCode.INTERFACE_FIELD_NO_IMPLEM,
                        f'Interface field "{interface.name}.{name}" is declared in '
                        f'{subgraphs_text(declared)} but type "{obj.name}", which implements '
                        f'"{interface.name}" only in {subgraphs_text(implementing)} does not '
                        f'have field "{name}".',
                        f"{obj.name}.{name}",
                    )

    def _merge_directive_definitions(self) -> None:
        # in the order the subgraphs import them (as Apollo does), never the set's hash order
        position: dict[str, int] = {}
        for s in self.subs:
            for linked in s.links:
                for imported in linked.imports:
                    position.setdefault(imported.lstrip("@"), len(position))
        for name in sorted(self.composed, key=lambda n: (position.get(n, len(position)), n)):
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
                loc.value
                for loc in present[0].locations
                if loc.value in EXECUTABLE_LOCATIONS
                and all(loc.value in {x.value for x in d.locations} for d in present)
            ]
            if not locations:
                continue
            arg_names = [
                a.name.value
                for a in present[0].arguments or ()
                if all(a.name.value in {b.name.value for b in d.arguments or ()} for d in present)
            ]
            first = present[0]
            self.out.directive_defs.append(
                DirectiveDefinitionNode(
                    name=first.name,
                    description=first.description,
                    arguments=tuple(a for a in first.arguments or () if a.name.value in arg_names),
                    repeatable=all(d.repeatable for d in present),
                    locations=tuple(loc for loc in first.locations if loc.value in locations),
                )
            )
