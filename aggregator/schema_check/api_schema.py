"""The schema clients see, from a supergraph SDL (or any plain SDL).

Clients never see federation machinery: the ``join__``/``link__`` types and
directives, the linked spec directives (``@link``, ``@inaccessible``,
``@tag``, ...), or elements marked ``@inaccessible``. Comparing supergraphs
directly would report those as changes, so both sides are reduced to the API
schema first. A document without ``@link`` is taken as already client-facing.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import (
    REMOVE,
    ConstArgumentNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    GraphQLSchema,
    ListValueNode,
    Node,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    Visitor,
    build_ast_schema,
    parse,
    visit,
)

_NO_EDIT: Any = None


def api_schema(sdl: str) -> GraphQLSchema:
    """Parse, strip federation machinery, build; raises GraphQLError on bad SDL."""
    document = parse(sdl)
    names = _linked_names(document)
    if names.directives or names.prefixes:
        document = visit(document, _Strip(names))
    return build_ast_schema(document, assume_valid_sdl=True)


class _LinkedNames:
    def __init__(self) -> None:
        self.prefixes: set[str] = set()  # "join__", "link__", ...
        self.directives: set[str] = set()  # directive names owned by linked specs
        self.inaccessible: set[str] = set()  # the (possibly renamed) @inaccessible


def _linked_names(document: DocumentNode) -> _LinkedNames:
    names = _LinkedNames()
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            args = {a.name.value: a for a in directive.arguments or ()}
            url = _string(args.get("url"))
            if url is None:
                continue
            segments = url.rstrip("/").split("/")
            versioned = len(segments) > 1 and re.fullmatch(r"v\d+\.\d+", segments[-1])
            feature = segments[-2] if versioned else segments[-1]
            local = _string(args.get("as")) or feature
            names.prefixes.add(f"{local}__")
            names.directives.add(local)
            if feature == "inaccessible":
                names.inaccessible.add(local)
            imports = args.get("import")
            if imports is not None and isinstance(imports.value, ListValueNode):
                for item in imports.value.values:
                    if isinstance(item, StringValueNode):
                        imported = item.value.lstrip("@")
                        names.directives.add(imported)
                        if imported == "inaccessible":
                            names.inaccessible.add(imported)
            if feature == "link":
                names.directives.add("link")
    if names.prefixes:
        names.directives.add("link")
    return names


def _string(argument: ConstArgumentNode | None) -> str | None:
    if argument is not None and isinstance(argument.value, StringValueNode):
        return argument.value.value
    return None


class _Strip(Visitor):
    def __init__(self, names: _LinkedNames) -> None:
        super().__init__()
        self.names = names

    def _owned(self, name: str) -> bool:
        return name in self.names.directives or name.startswith(tuple(self.names.prefixes))

    def _hidden(self, node: Node) -> bool:
        directives = getattr(node, "directives", None) or ()
        return any(d.name.value in self.names.inaccessible for d in directives)

    def enter(self, node: Node, *_args: Any) -> Any:
        if isinstance(node, DirectiveNode):
            return REMOVE if self._owned(node.name.value) else _NO_EDIT
        if isinstance(node, DirectiveDefinitionNode):
            return REMOVE if self._owned(node.name.value) else _NO_EDIT
        if isinstance(node, TypeDefinitionNode | TypeExtensionNode) and (
            self._owned(node.name.value) or self._hidden(node)
        ):
            return REMOVE
        if self._hidden(node):
            return REMOVE
        return _NO_EDIT

    def leave(self, node: Node, *_args: Any) -> Any:
        if (
            isinstance(node, SchemaExtensionNode)
            and not node.operation_types
            and not node.directives
        ):
            return REMOVE
        return _NO_EDIT
