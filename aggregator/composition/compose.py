"""``compose``: subgraph SDLs in, supergraph SDL (or every error) out.

Stages, each a function of plain data: read every subgraph (parse, check it
is valid GraphQL, normalise), validate the federation directives of the
Federation 2 subgraphs, upgrade the Federation 1 ones and validate them, merge,
check the merged result (transitive auth of @requires, @inaccessible rules),
check that every field can be reached by some query, print. A stage's errors
stop the pipeline after that stage, so messages never cascade from an
earlier mistake.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql.language import DocumentNode

from aggregator.composition.errors import CompositionError, CompositionErrorCode
from aggregator.composition.fed1_upgrade import (
    extensions_without_base,
    interface_objects_on_fed1_keys,
    upgrade,
)
from aggregator.composition.inaccessible import check_inaccessible
from aggregator.composition.merge import merge
from aggregator.composition.model import Subgraph
from aggregator.composition.printer import print_supergraph
from aggregator.composition.results import (
    CompositionFailure,
    CompositionResult,
    CompositionSuccess,
    SubgraphSource,
)
from aggregator.composition.satisfiability import check_satisfiability
from aggregator.composition.subgraph import parse_subgraph, read_subgraph
from aggregator.composition.validation import check_subgraph


def _read(sources: Sequence[SubgraphSource]) -> list[Subgraph] | CompositionFailure:
    """Parse and read every subgraph; a syntax error anywhere stops here with only those.

    Subgraphs that parse but are not valid schemas are reported with the
    federation problems of the others, as Apollo does.
    """
    errors: list[CompositionError] = []
    documents: list[tuple[SubgraphSource, DocumentNode]] = []
    seen: set[str] = set()
    for source in sources:
        if source.name in seen or not source.name:
            errors.append(
                CompositionError(
                    CompositionErrorCode.INVALID_SUBGRAPH_NAME,
                    f'[{source.name}] subgraph name "{source.name}" is empty or used twice',
                    source.name,
                )
            )
            continue
        seen.add(source.name)
        parsed = parse_subgraph(source.name, source.sdl)
        if isinstance(parsed, CompositionError):
            errors.append(parsed)
        else:
            documents.append((source, parsed))
    if errors:
        return CompositionFailure(tuple(errors))
    if not documents:
        return CompositionFailure(
            (
                CompositionError(
                    CompositionErrorCode.NO_QUERIES, "No subgraphs to compose: give at least one."
                ),
            )
        )
    subgraphs: list[Subgraph] = []
    for source, document in documents:
        read = read_subgraph(source.name, source.url, document)
        if isinstance(read, list):
            errors.extend(read)
        else:
            subgraphs.append(read)
    if errors:
        # Readable subgraphs are still checked, so one bad subgraph does not hide the
        # problems of the others.
        for subgraph in subgraphs:
            if subgraph.fed2:
                errors.extend(check_subgraph(subgraph))
        return CompositionFailure(tuple(errors))
    return subgraphs


def compose(sources: Sequence[SubgraphSource]) -> CompositionResult:
    """Compose ``sources`` into a supergraph; never raises for any input."""
    try:
        return _compose(sources)
    except Exception as error:  # a bug here must still reach the caller as a result
        return CompositionFailure(
            (
                CompositionError(
                    CompositionErrorCode.INTERNAL_COMPOSITION_ERROR,
                    f"Composition failed unexpectedly ({type(error).__name__}: {error}); "
                    "please report it with the subgraph SDLs",
                ),
            )
        )


def _compose(sources: Sequence[SubgraphSource]) -> CompositionResult:
    read = _read(sources)
    if isinstance(read, CompositionFailure):
        return read
    subgraphs = read
    # As Apollo: Fed 2 subgraphs are checked first; Fed 1 subgraphs are then upgraded
    # (which needs the others to be sound) and checked as Fed 2 ones.
    errors: list[CompositionError] = []
    for subgraph in subgraphs:
        if subgraph.fed2:
            errors.extend(check_subgraph(subgraph))
    if errors:
        return CompositionFailure(tuple(errors))
    fed1_interface_keys: dict[str, set[str]] = {}
    for subgraph in subgraphs:
        if subgraph.fed2:
            continue
        no_base = extensions_without_base(subgraph, subgraphs)
        if no_base:
            errors.extend(no_base)
            continue
        interface_keys = upgrade(subgraph, subgraphs)
        problems = check_subgraph(subgraph)
        errors.extend(problems)
        if not problems:
            fed1_interface_keys[subgraph.name] = interface_keys
    errors.extend(interface_objects_on_fed1_keys(subgraphs, fed1_interface_keys))
    if errors:
        return CompositionFailure(tuple(errors))
    supergraph, merge_errors, hints = merge(subgraphs)
    if not merge_errors:
        merge_errors.extend(check_inaccessible(supergraph))
    if merge_errors:
        return CompositionFailure(tuple(merge_errors), tuple(hints))
    unreachable = check_satisfiability(supergraph)
    if unreachable:
        return CompositionFailure(tuple(unreachable), tuple(hints))
    return CompositionSuccess(print_supergraph(supergraph), tuple(hints))
