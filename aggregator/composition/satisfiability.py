"""Can every field of the supergraph be reached by some query? (simplified)

Walks supergraph query paths from the root types. A path is tracked as
(type, the set of subgraphs that could be serving it): a field extends the
path when one of those subgraphs resolves it, and the set grows by @key
jumps (to a subgraph with a resolvable key on the type whose key fields the
current subgraph can supply). A field no subgraph in the set can resolve is
a SATISFIABILITY_ERROR with the example query that fails, as Apollo reports.

Only the API schema is walked (@inaccessible fields are skipped), as Apollo does.
Simplifications, each of which can only accept more than Apollo does, never
reject a valid supergraph: an @external field counts as resolvable where some
@provides of its subgraph selects it, @requires conditions are assumed
satisfiable, and fields added to implementations by @interfaceObject are
taken as reachable.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.fieldsets import provided_fields, walk_field_set
from aggregator.composition.merge_context import Supergraph
from aggregator.composition.model import Subgraph, TypeKind, base_type
from aggregator.composition.validation import key_is_resolvable

MAX_PATHS = 20_000
ROOT_TYPES = ("Query", "Mutation", "Subscription")


@dataclass(frozen=True)
class _Path:
    type_name: str
    subgraphs: frozenset[str]
    steps: tuple[str, ...]


class _Checker:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.subs = {s.name: s for s in supergraph.subgraphs}
        self.provided = {s.name: provided_fields(s) for s in supergraph.subgraphs}
        self.overridden = self._overridden(supergraph.subgraphs)
        self.errors: list[CompositionError] = []
        self.reported: set[tuple[str, str]] = set()

    @staticmethod
    def _overridden(subgraphs: list[Subgraph]) -> set[tuple[str, str, str]]:
        """(subgraph, type, field) taken over by another subgraph's @override."""
        found: set[tuple[str, str, str]] = set()
        for sub in subgraphs:
            for typedef in sub.types.values():
                for field in typedef.fields.values():
                    for override in field.applied("override"):
                        if override.string_arg("label") is None:
                            source = override.string_arg("from") or ""
                            found.add((source, typedef.name, field.name))
        return found

    def resolves(self, sub_name: str, type_name: str, field_name: str) -> bool:
        if (sub_name, type_name, field_name) in self.overridden:
            return False
        typedef = self.subs[sub_name].types.get(type_name)
        if typedef is None or field_name not in typedef.fields:
            return False
        if typedef.fields[field_name].has("external"):
            return (type_name, field_name) in self.provided[sub_name]
        return True

    def _can_supply(self, sub_name: str, type_name: str, fields: str) -> bool:
        walk, problem = walk_field_set(self.subs[sub_name], type_name, fields)
        return problem is None and all(self.resolves(sub_name, t, f) for t, f in walk.touched)

    def key_closure(self, type_name: str, start: frozenset[str]) -> frozenset[str]:
        current = set(start)
        changed = True
        while changed:
            changed = False
            for name, sub in self.subs.items():
                typedef = sub.types.get(type_name)
                if name in current or typedef is None:
                    continue
                for key in typedef.applied("key"):
                    fields = key.string_arg("fields") or ""
                    if key_is_resolvable(key) and any(
                        self._can_supply(s, type_name, fields) for s in current
                    ):
                        current.add(name)
                        changed = True
                        break
        return frozenset(current)

    def runtime_types(self, sub_name: str, type_name: str) -> frozenset[str]:
        types = self.subs[sub_name].types
        abstract = types.get(type_name)
        if abstract is None:
            return frozenset()
        return frozenset(
            name for name, t in types.items()
            if t.kind is TypeKind.OBJECT and (type_name in t.interfaces or name in abstract.members)
        )

    def check_shared_abstract_fields(self) -> None:
        for typedef in self.supergraph.types.values():
            for field_name, field in typedef.fields.items():
                target = self.supergraph.types.get(base_type(field.type))
                if target is None or target.kind not in (TypeKind.INTERFACE, TypeKind.UNION):
                    continue
                serving = [n for n in self.subs if self.resolves(n, typedef.name, field_name)]
                if len(serving) < 2:
                    continue
                runtime = {n: self.runtime_types(n, target.name) for n in serving}
                if frozenset.intersection(*runtime.values()):
                    continue
                listing = ";\n".join(
                    f' - in subgraph "{n}", type{"s" if len(r) != 1 else ""} '
                    + ", ".join(f'"{t}"' for t in sorted(r)) for n, r in runtime.items()
                )
                self.errors.append(CompositionError(
                    CompositionErrorCode.SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES,
                    f'Shared field "{typedef.name}.{field_name}" return type "{target.name}" has '
                    "a non-intersecting set of possible runtime types across subgraphs. Runtime "
                    f"types in subgraphs are:\n{listing}.",
                    coordinate=f"{typedef.name}.{field_name}",
                ))

    def requires_satisfiable(self, sub_name: str, type_name: str, field_name: str) -> bool:
        """The @requires fields of the field in ``sub_name`` can be fetched starting there."""
        field = self.subs[sub_name].types[type_name].fields[field_name]
        requires = field.applied("requires")
        if not requires:
            return True
        reachable = self.key_closure(type_name, frozenset({sub_name}))
        for directive in requires:
            walk, _ = walk_field_set(self.subs[sub_name], type_name,
                                     directive.string_arg("fields") or "")
            for required in walk.top_level:
                if not any(self.resolves(n, type_name, required) for n in reachable):
                    return False
        return True

    def run(self) -> list[CompositionError]:
        self.check_shared_abstract_fields()
        queue: deque[_Path] = deque()
        for root in ROOT_TYPES:
            root_type = self.supergraph.types.get(root)
            if root_type is None:
                continue
            for field_name, field in root_type.fields.items():
                if field.has("inaccessible"):
                    continue
                serving = frozenset(
                    n for n in self.subs if self.resolves(n, root, field_name)
                )
                self._follow(queue, root, field.type, serving, (root.lower(), field_name))
        seen: set[tuple[str, frozenset[str]]] = set()
        while queue and len(seen) < MAX_PATHS:
            path = queue.popleft()
            closed = self.key_closure(path.type_name, path.subgraphs)
            if (path.type_name, closed) in seen:
                continue
            seen.add((path.type_name, closed))
            self._visit(queue, _Path(path.type_name, closed, path.steps))
        return self.errors

    def _follow(self, queue: deque[_Path], parent: str, field_type: str,
                serving: frozenset[str], steps: tuple[str, ...]) -> None:
        target = base_type(field_type)
        typedef = self.supergraph.types.get(target)
        if typedef is None or typedef.kind not in (
            TypeKind.OBJECT, TypeKind.INTERFACE, TypeKind.UNION
        ):
            return
        having = frozenset(n for n in serving if target in self.subs[n].types)
        if having:
            queue.append(_Path(target, having, steps))

    def _visit(self, queue: deque[_Path], path: _Path) -> None:
        typedef = self.supergraph.types[path.type_name]
        for field_name, field in typedef.fields.items():
            if any(d.name == "join__field" and not d.args for d in field.directives):
                continue  # added by @interfaceObject, resolved through the interface
            if field.has("inaccessible"):
                continue  # not in the API schema: no client query can reach it
            serving = frozenset(
                n for n in path.subgraphs if self.resolves(n, path.type_name, field_name)
                and self.requires_satisfiable(n, path.type_name, field_name)
            )
            if not serving:
                self._report(path, field_name)
                continue
            self._follow(queue, path.type_name, field.type, serving, (*path.steps, field_name))
        if typedef.kind in (TypeKind.INTERFACE, TypeKind.UNION):
            for name, candidate in self.supergraph.types.items():
                if path.type_name not in candidate.interfaces and name not in typedef.members:
                    continue
                having = frozenset(n for n in path.subgraphs if name in self.subs[n].types)
                if having:
                    queue.append(_Path(name, having, (*path.steps, f"... on {name}")))

    def _report(self, path: _Path, field_name: str) -> None:
        coordinate = (path.type_name, field_name)
        if coordinate in self.reported:
            return
        self.reported.add(coordinate)
        steps = [*path.steps[1:], field_name]
        operation = path.steps[0] if path.steps else "query"
        lines = ["{"] if operation == "query" else [f"{operation} {{"]
        for depth, step in enumerate(steps, start=1):
            indent = "  " * depth
            lines.append(indent + step + (" {" if depth < len(steps) else ""))
        for depth in range(len(steps) - 1, 0, -1):
            lines.append("  " * depth + "}")
        lines.append("}")
        reasons = []
        for name in sorted(path.subgraphs):
            reasons.append(f'- from subgraph "{name}":')
            if self.resolves(name, path.type_name, field_name):
                reasons.append(f'  - cannot satisfy @require conditions on field '
                               f'"{path.type_name}.{field_name}".')
            elif (name, path.type_name, field_name) in self.overridden:
                reasons.append(f'  - field "{path.type_name}.{field_name}" is not resolvable '
                               "because it is overridden by another subgraph.")
            else:
                reasons.append(f'  - cannot find field "{path.type_name}.{field_name}".')
            for other, sub in sorted(self.subs.items()):
                typedef = sub.types.get(path.type_name)
                if other in path.subgraphs or typedef is None:
                    continue
                for key in typedef.applied("key"):
                    reasons.append(
                        f'  - cannot move to subgraph "{other}" using @key(fields: '
                        f'"{key.string_arg("fields")}") of "{path.type_name}", the key field(s) '
                        f'cannot be resolved from subgraph "{name}".'
                    )
        message = (
            "The following supergraph API query:\n" + "\n".join(lines)
            + "\ncannot be satisfied by the subgraphs because:\n" + "\n".join(reasons)
        )
        self.errors.append(CompositionError(
            CompositionErrorCode.SATISFIABILITY_ERROR, message,
            coordinate=f"{path.type_name}.{field_name}",
        ))


def check_satisfiability(supergraph: Supergraph) -> list[CompositionError]:
    return _Checker(supergraph).run()
