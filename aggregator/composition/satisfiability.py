"""Can every field of the supergraph be reached by some query? (simplified)

Walks supergraph query paths from the root types. A path is tracked as
(type, the set of subgraphs that could be serving it): a field extends the
path when one of those subgraphs serves it (``reachability.py``), and the
set grows by @key jumps. An interface field that a subgraph's version of the
interface lacks is served through that subgraph's implementations, each of
which may jump elsewhere. A field no subgraph in the set can serve is a
SATISFIABILITY_ERROR with the example query that fails, as Apollo reports.
Shared fields returning an interface or union are checked first, in
``shared_runtime_types.py`` (Apollo does it during the same walk).

Only the API schema is walked (@inaccessible fields are skipped), as Apollo does.
Simplifications, each of which can only accept more than Apollo does, never
reject a valid supergraph: the subgraphs of one path are alternatives that
may be combined, an @external field counts as resolvable where any @provides
of its subgraph selects it, and fields added to implementations by
@interfaceObject are taken as reachable.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.merge_context import Supergraph
from aggregator.composition.model import TypeKind, base_type
from aggregator.composition.reachability import Reachability
from aggregator.composition.shared_runtime_types import check_shared_abstract_fields

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
        self.reach = Reachability(supergraph.subgraphs)
        self.subs = self.reach.subs
        self.errors: list[CompositionError] = []
        self.reported: set[tuple[str, str]] = set()

    def run(self) -> list[CompositionError]:
        self.errors.extend(check_shared_abstract_fields(self.supergraph, self.reach))
        queue: deque[_Path] = deque()
        for root in ROOT_TYPES:
            root_type = self.supergraph.types.get(root)
            if root_type is None:
                continue
            for field_name, field in root_type.fields.items():
                if field.has("inaccessible"):
                    continue
                serving = frozenset(
                    n for n in self.subs if self.reach.resolves(n, root, field_name)
                )
                self._follow(queue, root, field.type, serving, (root.lower(), field_name))
        seen: set[tuple[str, frozenset[str]]] = set()
        while queue and len(seen) < MAX_PATHS:
            path = queue.popleft()
            closed = self.reach.closure(path.type_name, path.subgraphs)
            if (path.type_name, closed) in seen:
                continue
            seen.add((path.type_name, closed))
            self._visit(queue, _Path(path.type_name, closed, path.steps))
        return self.errors

    def _follow(
        self,
        queue: deque[_Path],
        parent: str,
        field_type: str,
        serving: frozenset[str],
        steps: tuple[str, ...],
    ) -> None:
        target = base_type(field_type)
        typedef = self.supergraph.types.get(target)
        if typedef is None or typedef.kind not in (
            TypeKind.OBJECT,
            TypeKind.INTERFACE,
            TypeKind.UNION,
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
            sources = self.reach.sources(path.subgraphs, path.type_name, field_name)
            if not sources.satisfied:
                self._report(path, field_name)
                continue
            self._follow(
                queue, path.type_name, field.type, sources.subgraphs, (*path.steps, field_name)
            )
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
            if self.reach.resolves(name, path.type_name, field_name):
                reasons.append(
                    f"  - cannot satisfy @require conditions on field "
                    f'"{path.type_name}.{field_name}".'
                )
            elif (name, path.type_name, field_name) in self.reach.overridden:
                reasons.append(
                    f'  - field "{path.type_name}.{field_name}" is not resolvable '
                    "because it is overridden by another subgraph."
                )
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
            "The following supergraph API query:\n"
            + "\n".join(lines)
            + "\ncannot be satisfied by the subgraphs because:\n"
            + "\n".join(reasons)
        )
        self.errors.append(
            CompositionError(
                CompositionErrorCode.SATISFIABILITY_ERROR,
                message,
                coordinate=f"{path.type_name}.{field_name}",
            )
        )


def check_satisfiability(supergraph: Supergraph) -> list[CompositionError]:
    return _Checker(supergraph).run()
