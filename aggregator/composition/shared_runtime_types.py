"""A shared field returning an abstract type must have a common runtime type.

When several subgraphs resolve the same field of an object type and the
supergraph returns an interface or union there, a query through that field
may be answered by any of them, so the object types each one can return
must overlap. What each subgraph can return is read from its own schema and
its own type for the field: an object type there is just that type, an
interface or union its implementations or members declared in that subgraph
(members only another subgraph declares do not count).

Apollo runs this check only where at least two of the subgraphs see an
abstract type (a field that is ``Book`` in one subgraph and ``Media`` in
another is always fine: the object subgraph returns a ``Book``, which the
other's ``Media`` can be too, and a subgraph type no supergraph runtime
type matches, such as an @interfaceObject, is left out); it is also skipped
when no subgraph declares any runtime type. Apollo checks on the query paths
satisfiability walks; this takes every subgraph resolving the field, which
is the same set wherever @key jumps connect them.
"""

from __future__ import annotations

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.merge_context import Supergraph
from aggregator.composition.model import TypeDef, TypeKind, base_type
from aggregator.composition.reachability import Reachability, possible_runtime_types

ABSTRACT_KINDS = (TypeKind.INTERFACE, TypeKind.UNION)


def check_shared_abstract_fields(
    supergraph: Supergraph, reach: Reachability
) -> list[CompositionError]:
    errors: list[CompositionError] = []
    for typedef in supergraph.types.values():
        if typedef.kind is not TypeKind.OBJECT:
            continue  # interface fields are answered by the implementations' fields
        for field_name, field in typedef.fields.items():
            target = supergraph.types.get(base_type(field.type))
            if target is None or target.kind not in ABSTRACT_KINDS:
                continue
            error = _check_field(supergraph, reach, typedef, field_name, target.name)
            if error is not None:
                errors.append(error)
    return errors


def _check_field(
    supergraph: Supergraph, reach: Reachability, typedef: TypeDef, field_name: str, target: str
) -> CompositionError | None:
    serving = [n for n in sorted(reach.subs) if reach.resolves(n, typedef.name, field_name)]
    if len(serving) < 2:
        return None
    local_types = {
        n: base_type(reach.subs[n].types[typedef.name].fields[field_name].type) for n in serving
    }
    abstract_in = [n for n in serving if reach.subs[n].types[local_types[n]].kind in ABSTRACT_KINDS]
    if len(abstract_in) < 2:
        return None
    supergraph_runtime = possible_runtime_types(supergraph.types, target)
    runtime: dict[str, frozenset[str]] = {}
    for name in serving:
        types = reach.runtime_types(name, local_types[name])
        if len(types) == 1 and not types <= supergraph_runtime:
            continue  # e.g. an @interfaceObject standing for the interface
        runtime[name] = types
    if not any(runtime.values()):
        return None
    if supergraph_runtime.intersection(*runtime.values()):
        return None
    return CompositionError(
        CompositionErrorCode.SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES,
        f'Shared field "{typedef.name}.{field_name}" return type "{target}" has a '
        "non-intersecting set of possible runtime types across subgraphs. Runtime types in "
        f"subgraphs are:\n{_listing(runtime)}.\nThis is not allowed as shared fields must "
        "resolve the same way in all subgraphs, and that implies at least some common "
        "runtime types between the subgraphs.",
        coordinate=f"{typedef.name}.{field_name}",
    )


def _listing(runtime: dict[str, frozenset[str]]) -> str:
    """One line per distinct set of runtime types, naming the subgraphs that have it."""
    by_types: dict[frozenset[str], list[str]] = {}
    for name, types in runtime.items():
        by_types.setdefault(types, []).append(name)
    lines = []
    for types, names in by_types.items():
        where = ("subgraph " if len(names) == 1 else "subgraphs ") + _join(
            [f'"{n}"' for n in names]
        )
        if not types:
            what = "no runtime type is defined"
        else:
            what = ("type " if len(types) == 1 else "types ") + _join(
                [f'"{t}"' for t in sorted(types)]
            )
        lines.append(f" - in {where}, {what}")
    return ";\n".join(lines)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
