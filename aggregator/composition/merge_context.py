"""Shared state and helpers of the merge stages (see ``merge.py``).

``MergeContext`` holds the subgraphs, the supergraph being built and the
errors and hints found so far; each merge stage is a mixin over it, one
module per idea (fields, input values and enums, checks around the merge).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from graphql.language import (
    DirectiveDefinitionNode,
    EnumValueNode,
    StringValueNode,
)

from aggregator.composition.errors import (
    CompositionError,
    CompositionErrorCode,
    CompositionHint,
    CompositionHintCode,
)
from aggregator.composition.field_usage import provided_fields, used_fields
from aggregator.composition.model import (
    Subgraph,
    TypeDef,
    base_type,
)

#: federation directives that are copied into the supergraph under their imported name.
SUPERGRAPH_SPEC_DIRECTIVES = ("tag", "inaccessible")
ROOT_TYPE_NAMES = frozenset({"Query", "Mutation", "Subscription"})
EXECUTABLE_LOCATIONS = frozenset(
    {
        "QUERY",
        "MUTATION",
        "SUBSCRIPTION",
        "FIELD",
        "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION",
    }
)


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


def string_value(value: str) -> StringValueNode:
    return StringValueNode(value=value)


def _quoted(names: list[str]) -> str:
    quoted = [f'"{n}"' for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def subgraphs_text(names: list[str]) -> str:
    return ("subgraph " if len(names) == 1 else "subgraphs ") + _quoted(names)


def pick_description(values: list[str | None]) -> str | None:
    present = [v for v in values if v and v.strip()]
    if not present:
        return None
    counts = Counter(present)
    best = max(counts.values())
    return next(v for v in present if counts[v] == best)


class MergeContext:
    def __init__(self, subgraphs: list[Subgraph]) -> None:
        self.subs = subgraphs
        self.by_name = {s.name: s for s in subgraphs}
        self.errors: list[CompositionError] = []
        self.hints: list[CompositionHint] = []
        self.composed = frozenset(n for s in subgraphs for n in s.composed)
        self.out = Supergraph(graph_enum_names([s.name for s in subgraphs]), subgraphs)
        self.provided = {s.name: provided_fields(s) for s in subgraphs}
        self.used = {s.name: used_fields(s) for s in subgraphs}
        self.input_usage: dict[str, str] = {}
        self.output_usage: dict[str, str] = {}
        self._collect_usages()

    # -- helpers -----------------------------------------------------------

    def error(
        self,
        code: CompositionErrorCode,
        message: str,
        coordinate: str | None,
        subgraph: str | None = None,
    ) -> None:
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
                        self.input_usage.setdefault(
                            base_type(a.type), f"{t.name}.{f.name}({a.name}:)"
                        )
                for i in t.input_fields.values():
                    self.input_usage.setdefault(base_type(i.type), f"{t.name}.{i.name}")

    # -- entry point ---------------------------------------------------------
