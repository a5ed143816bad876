"""The operation as one caller may see it: pure functions over the normalised tree.

Authorization runs between normalisation and planning (hive-router's
pipeline/authorization): :func:`analyse` finds, once per operation, which
grants could change its shape; :func:`rewrite` then produces, once per set of
granted requirements, two trees from the normalised one:

* the tree the planner reads, without the fields and fragments the caller may
  not see, so no subgraph is ever asked for them (a selection set left empty
  keeps ``__typename`` so the object itself is still fetched);
* the tree projection reads, where each removed field is marked ``denied``
  (null plus an ``UNAUTHORIZED_FIELD_OR_TYPE`` error at its path, null
  propagating as the spec says), each removed fragment is marked ``denied``, and
  masked values carry their mask.

Fields the planner adds itself (keys, ``@requires`` inputs) are not in the
client's tree: they are fetched as needed and never projected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql.language import FieldNode

from aggregator.planning.normalize import NField, NFragment, NSelection
from aggregator.planning.planner import NormalizedOperation
from aggregator.security.requirements import AUTHENTICATED, Atom, AuthorizationModel, Requirement

__all__ = ["Analysis", "PolicySite", "Rewritten", "analyse", "rewrite"]

PathElement = str
_TYPENAME = NField("__typename", "__typename", (), (), None)


@dataclass(frozen=True, slots=True)
class PolicySite:
    """A field whose requirement names policies: what the policy engine is told about."""

    coordinate: str
    parent: str
    node: FieldNode | None
    policies: frozenset[str]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Which grants could change this operation's shape (empty: it touches nothing)."""

    touched: tuple[Atom, ...]
    policy_sites: tuple[PolicySite, ...] = ()
    # the same atoms by kind, so a request checks its caller against them without parsing
    authenticated: bool = False
    scopes: tuple[tuple[str, Atom], ...] = ()
    purposes: frozenset[str] = frozenset()
    policies: tuple[str, ...] = ()

    @classmethod
    def of(cls, atoms: set[Atom], sites: tuple[PolicySite, ...] = ()) -> Analysis:
        touched = tuple(sorted(atoms))
        return cls(
            touched,
            sites,
            authenticated=AUTHENTICATED in atoms,
            scopes=tuple((atom[1], atom) for atom in touched if atom[0] == "scope"),
            purposes=frozenset(name for kind, name in touched if kind == "purpose"),
            policies=tuple(name for kind, name in touched if kind == "policy"),
        )


@dataclass(frozen=True, slots=True)
class Rewritten:
    """One operation for one set of granted requirements."""

    plan: tuple[NSelection, ...]
    project: tuple[NSelection, ...]
    # where something was (or, in a dry run, would be) withheld, in Apollo Router's path
    # shape: response keys, "@" for each list level, "... on T" for a fragment
    denied: tuple[tuple[PathElement, ...], ...]
    # protected or @sensitive coordinates the caller may see in this operation
    released: frozenset[str]
    sensitive: frozenset[str]
    # the @sensitive ones released masked
    masked: frozenset[str]


def _fragment_requirement(model: AuthorizationModel, fragment: NFragment) -> Requirement:
    return model.type_requirement(fragment.type_condition)


def _field_requirement(model: AuthorizationModel, parent: str, selection: NField) -> Requirement:
    return model.field_rule(parent, selection.name).requirement


def analyse(model: AuthorizationModel, operation: NormalizedOperation) -> Analysis:
    atoms: set[Atom] = set()
    sites: dict[tuple[str, int], PolicySite] = {}
    seen: set[tuple[int, str]] = set()

    def visit(selections: tuple[NSelection, ...], parent: str) -> None:
        key = (id(selections), parent)
        if key in seen:  # shared fragment sub-trees: once is enough
            return
        seen.add(key)
        for selection in selections:
            if isinstance(selection, NFragment):
                atoms.update(_fragment_requirement(model, selection).atoms())
                visit(selection.selections, selection.type_condition)
                continue
            if selection.name.startswith("__"):
                continue
            rule = model.field_rule(parent, selection.name)
            requirement = _field_requirement(model, parent, selection)
            atoms.update(requirement.atoms())
            if rule.sensitivity is not None and rule.sensitivity.mask is not None:
                atoms.update(rule.sensitivity.unmask.atoms())
            policies = frozenset(
                p for groups in requirement.policies for group in groups for p in group
            )
            if policies:
                site_key = (rule.coordinate, id(selection.node))
                if site_key not in sites:
                    sites[site_key] = PolicySite(rule.coordinate, parent, selection.node, policies)
            if selection.selections:
                child = model.return_type(parent, selection.name)
                if child is not None:
                    visit(selection.selections, child)

    visit(operation.selections, operation.root_type)
    return Analysis.of(atoms, tuple(sites.values()))


@dataclass
class _Walk:
    model: AuthorizationModel
    granted: frozenset[Atom]
    remove: bool
    denied: list[tuple[PathElement, ...]] = field(default_factory=list)
    released: set[str] = field(default_factory=set)
    sensitive: set[str] = field(default_factory=set)
    masked: set[str] = field(default_factory=set)

    def selections(
        self, selections: tuple[NSelection, ...], parent: str, path: tuple[PathElement, ...]
    ) -> tuple[tuple[NSelection, ...], tuple[NSelection, ...]]:
        """(planner's tree, projection's tree); unchanged sub-trees are returned as is."""
        plan: list[NSelection] = []
        project: list[NSelection] = []
        changed = False
        for selection in selections:
            if isinstance(selection, NFragment):
                condition = selection.type_condition
                if not _fragment_requirement(self.model, selection).satisfied(self.granted):
                    self.denied.append((*path, f"... on {condition}"))
                    if self.remove:
                        project.append(NFragment(condition, (), denied=True))
                        changed = True
                        continue
                inner_plan, inner_project = self.selections(selection.selections, condition, path)
                if inner_plan is not selection.selections or inner_project is not (
                    selection.selections
                ):
                    changed = True
                    if inner_plan:
                        plan.append(NFragment(condition, inner_plan))
                    project.append(NFragment(condition, inner_project))
                else:
                    plan.append(selection)
                    project.append(selection)
                continue
            if selection.name.startswith("__"):
                plan.append(selection)
                project.append(selection)
                continue
            planned, projected = self.field(selection, parent, path)
            if planned is not selection or projected is not selection:
                changed = True
            if planned is not None:
                plan.append(planned)
            project.append(projected)
        if not changed:
            return selections, selections
        return tuple(plan), tuple(project)

    def field(
        self, selection: NField, parent: str, path: tuple[PathElement, ...]
    ) -> tuple[NField | None, NField]:
        model = self.model
        rule = model.field_rule(parent, selection.name)
        here = (*path, selection.response_key)
        if not _field_requirement(model, parent, selection).satisfied(self.granted):
            self.denied.append(here)
            if self.remove:
                return None, NField(
                    selection.response_key,
                    selection.name,
                    selection.arguments,
                    selection.directives,
                    None,
                    selection.node,
                    True,
                )
        if rule.accountable:
            self.released.add(rule.coordinate)
        mask = None
        sensitivity = rule.sensitivity
        if sensitivity is not None:
            self.sensitive.add(rule.coordinate)
            if sensitivity.mask is not None and not sensitivity.unmask.satisfied(self.granted):
                mask = sensitivity.mask
                self.masked.add(rule.coordinate)
        planned: NField = selection
        projected: NField = selection
        if selection.selections:
            child = model.return_type(parent, selection.name)
            if child is not None:
                inner = here + ("@",) * model.list_depth(parent, selection.name)
                inner_plan, inner_project = self.selections(selection.selections, child, inner)
                if inner_plan is not selection.selections:
                    planned = _with(selection, inner_plan or (_TYPENAME,))
                if inner_project is not selection.selections:
                    projected = _with(selection, inner_project)
        if mask is not None:
            projected = NField(
                projected.response_key,
                projected.name,
                projected.arguments,
                projected.directives,
                projected.selections,
                projected.node,
                False,
                mask,
            )
        return planned, projected


def _with(selection: NField, selections: tuple[NSelection, ...]) -> NField:
    return NField(
        selection.response_key,
        selection.name,
        selection.arguments,
        selection.directives,
        selections,
        selection.node,
        selection.denied,
        selection.mask,
    )


def rewrite(
    model: AuthorizationModel,
    operation: NormalizedOperation,
    granted: frozenset[Atom],
    *,
    remove: bool = True,
) -> Rewritten:
    """The operation for a caller holding ``granted``; ``remove=False`` (dry run) only
    records what would be withheld."""
    walk = _Walk(model, granted, remove)
    plan, project = walk.selections(operation.selections, operation.root_type, ())
    return Rewritten(
        plan,
        project,
        tuple(walk.denied),
        frozenset(walk.released),
        frozenset(walk.sensitive),
        frozenset(walk.masked),
    )
