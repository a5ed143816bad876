"""The cost model: how well a subgraph can answer a selection, before anything is planned.

Receives normalised selections, the type they apply to and a subgraph; returns a
:data:`Cost` ``(fields no path can reach, entity jumps needed)``, compared as a tuple:
first reach everything, then jump as little as possible. A field the subgraph resolves
costs nothing (its sub-selection is costed in the same subgraph); any other field costs
one jump plus its sub-selection in the cheapest subgraph that resolves it and that the
current subgraph can enter with a key it can itself provide.

Results are memoised per (selection tuple, type, subgraph): the walk asks the same
questions many times while it compares alternatives. Entering is probed recursively
(a key's fields are themselves costed), guarded so a key that would need the very
entry it enables counts as unreachable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aggregator.planning.model_view import ModelView, type_in
from aggregator.planning.normalize import NField, NSelection

__all__ = ["ZERO", "Cost", "CostModel", "add"]

Cost = tuple[int, int]  # (fields no path can reach, entity jumps)
ZERO: Cost = (0, 0)
_MAX_DEPTH = 30


def add(a: Cost, b: Cost) -> Cost:
    return (a[0] + b[0], a[1] + b[1])


class CostModel:
    def __init__(self, view: ModelView) -> None:
        self.view = view
        # keyed by id(selections); the value keeps the selections alive so no id is reused
        self._memo: dict[tuple[int, str, str], tuple[Cost, Sequence[NSelection]]] = {}
        self._entering: set[tuple[str, str, str]] = set()

    def cost(
        self,
        selections: Sequence[NSelection],
        parent: str,
        graph: str,
        provided: Sequence[NSelection] | None = None,
        depth: int = 0,
    ) -> Cost:
        """What answering ``selections`` on ``parent`` from ``graph`` costs."""
        view = self.view
        memo_key = (id(selections), parent, graph)
        if provided is None:
            cached = self._memo.get(memo_key)
            if cached is not None:
                return cached[0]
        if depth > _MAX_DEPTH:
            return ZERO
        total = ZERO
        model = view.type(parent)
        runtimes = (
            (parent,) if model.kind == "object" else view.model.possible_types_in(parent, graph)
        )
        for runtime in runtimes:
            for selection in view.collect(selections, runtime):
                if selection.name != "__typename":
                    total = add(total, self._field(selection, runtime, graph, provided, depth))
        if provided is None and not self._entering:
            # a cost found while an entry is being probed may be cut short by the probe
            self._memo[memo_key] = (total, selections)
        return total

    def _field(
        self,
        selection: NField,
        runtime: str,
        graph: str,
        provided: Sequence[NSelection] | None,
        depth: int,
    ) -> Cost:
        view = self.view
        field_model = view.type(runtime).fields.get(selection.name)
        if field_model is None:
            return (1, 0)
        sub_provided = view.provided_child(provided, runtime, selection.name)
        source = field_model.sources.get(graph)
        if (source is not None and not source.requires) or sub_provided is not None:
            if not selection.selections:
                return ZERO
            named = type_in(field_model, graph)
            if source is not None and source.provides:
                sub_provided = view.fieldset(named, source.provides)
            return self.cost(selection.selections, named, graph, sub_provided, depth + 1)
        best: Cost | None = None
        for target in sorted(view.jump_sources(runtime, selection.name)):
            if not self.can_enter(runtime, target, graph, provided, depth):
                continue
            option: Cost = (0, 1)
            if selection.selections:
                named = type_in(field_model, target)
                option = add(
                    option, self.cost(selection.selections, named, target, None, depth + 1)
                )
            if best is None or option < best:
                best = option
        return best if best is not None else (1, 0)

    def can_enter(
        self,
        type_name: str,
        target: str,
        current: str,
        provided: Sequence[NSelection] | None,
        depth: int = 0,
    ) -> bool:
        """``current`` can build a representation for one of ``target``'s keys of the type."""
        view = self.view
        entry = view.entry_keys(type_name, target)
        if entry is None:
            return False
        probe = (type_name, target, current)
        if probe in self._entering:
            return False  # the key's fields would need this same entry: no way in
        self._entering.add(probe)
        try:
            return any(
                self.cost(view.fieldset(type_name, key), type_name, current, provided, depth + 1)[0]
                == 0
                for key in entry[2]
            )
        finally:
            self._entering.discard(probe)

    def locally_resolvable(
        self,
        selections: Sequence[NSelection],
        parent: str,
        graph: str,
        provided: Sequence[NSelection] | None,
    ) -> bool:
        """``graph`` alone answers the whole selection: no entity jump, nothing unreachable."""
        return self.cost(selections, parent, graph, provided) == ZERO

    def best_jump(
        self, selection: NField, parent: str, current: str, sources: Mapping[str, object]
    ) -> tuple[Cost, str] | None:
        """The cheapest other subgraph to fetch ``parent.selection`` from, and its cost."""
        view = self.view
        best: tuple[Cost, str] | None = None
        field_model = view.type(parent).fields[selection.name]
        for target in sorted(sources):
            if target == current:
                continue
            if view.entry_keys(parent, target) is None:
                continue
            option: Cost = (0, 1)
            if selection.selections:
                named = type_in(field_model, target)
                option = add(option, self.cost(selection.selections, named, target))
            if best is None or option < best[0]:
                best = (option, target)
        return best
