"""Which spec features a supergraph links, and under which names.

Supergraphs name their join/link/inaccessible machinery through ``@link``
(federation 2) or ``@core`` (federation 1) with optional renames (``as:``),
so every later step asks this table for the local name of a spec directive
instead of assuming ``join__field``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql.language import (
    ConstValueNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
)

_URL = re.compile(r"^https?://[^/]+/(?P<name>[^/]+)/v(?P<version>\d+\.\d+)/?$")


class SupergraphError(Exception):
    """The SDL is not a supergraph this gateway can serve (message says why)."""


@dataclass(frozen=True, slots=True)
class LinkedFeature:
    url: str
    name: str
    version: tuple[int, int]
    prefix: str
    imports: dict[str, str] = field(default_factory=dict)  # spec element name -> local name

    def directive(self, element: str) -> str:
        """Local name of the spec directive ``element`` (without ``@``)."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported.lstrip("@")
        if element == self.name:
            return self.prefix
        return f"{self.prefix}__{element}"


@dataclass(frozen=True, slots=True)
class Links:
    features: tuple[LinkedFeature, ...]

    def get(self, name: str) -> LinkedFeature | None:
        for feature in self.features:
            if feature.name == name:
                return feature
        return None

    def owns_type(self, type_name: str) -> bool:
        return any(type_name.startswith(f.prefix + "__") for f in self.features) or any(
            type_name in f.imports.values() for f in self.features
        )

    def owns_directive(self, directive_name: str) -> bool:
        for feature in self.features:
            if directive_name == feature.prefix or directive_name.startswith(feature.prefix + "__"):
                return True
            if "@" + directive_name in feature.imports.values():
                return True
        return False


def _str(node: ConstValueNode | None) -> str | None:
    return node.value if isinstance(node, StringValueNode) else None


def _imports(node: ConstValueNode | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(node, ListValueNode):
        return out
    for item in node.values:
        if isinstance(item, StringValueNode):
            out[item.value] = item.value
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: f.value for f in item.fields}
            name = _str(fields.get("name"))
            alias = _str(fields.get("as"))
            if name:
                out[name] = alias or name
    return out


def read_links(document: DocumentNode) -> Links:
    features: list[LinkedFeature] = []
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            args = {a.name.value: a.value for a in directive.arguments or ()}
            url = _str(args.get("url")) or _str(args.get("feature"))
            if url is None:
                continue
            match = _URL.match(url)
            if match is None:
                continue
            major, minor = match.group("version").split(".")
            name = match.group("name")
            prefix = _str(args.get("as")) or name
            features.append(
                LinkedFeature(
                    url=url,
                    name=name,
                    version=(int(major), int(minor)),
                    prefix=prefix,
                    imports=_imports(args.get("import")),
                )
            )
    if not any(f.name == "join" for f in features):
        raise SupergraphError(
            "not a supergraph: the schema does not @link (or @core) the join spec "
            "(https://specs.apollo.dev/join/v0.x); compose subgraphs first"
        )
    return Links(tuple(features))
