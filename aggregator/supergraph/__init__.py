"""Supergraph SDL -> model (join data) and public API schema."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLSchema, GraphQLSyntaxError, parse
from graphql.language import DocumentNode

from aggregator.supergraph.api_schema import build_api_schema
from aggregator.supergraph.links import Links, SupergraphError, read_links
from aggregator.supergraph.loader import load_supergraph
from aggregator.supergraph.model import (
    FieldModel,
    FieldSource,
    SubgraphInfo,
    SupergraphModel,
    TypeModel,
)

__all__ = [
    "FieldModel",
    "FieldSource",
    "SubgraphInfo",
    "Supergraph",
    "SupergraphError",
    "SupergraphModel",
    "TypeModel",
    "load",
]


@dataclass(frozen=True, slots=True)
class Supergraph:
    sdl: str
    document: DocumentNode
    links: Links
    model: SupergraphModel
    api_schema: GraphQLSchema


def load(sdl: str) -> Supergraph:
    """Parse and check a supergraph; raises :class:`SupergraphError` with a readable reason."""
    try:
        document = parse(sdl, no_location=True)
    except GraphQLSyntaxError as exc:
        raise SupergraphError(f"supergraph SDL does not parse: {exc.message}") from exc
    links = read_links(document)
    model = load_supergraph(document, links)
    try:
        api_schema = build_api_schema(document, links)
    except (TypeError, ValueError) as exc:
        raise SupergraphError(f"cannot build the API schema: {exc}") from exc
    return Supergraph(sdl=sdl, document=document, links=links, model=model, api_schema=api_schema)
