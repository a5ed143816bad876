"""Compare two supergraph SDLs for meaning, not layout.

Normalisations (everything else must match exactly):
- the order of definitions, fields, arguments, enum values, union members,
  implemented interfaces and directive locations is ignored;
- applied directives on one element are compared as a multiset of
  ``@name(arg: value, ...)`` with arguments sorted by name (so the order of
  repeated ``@join__type`` / ``@join__field`` does not matter);
- descriptions are compared with surrounding whitespace stripped (block and
  plain strings are the same text);
- ``@link`` directives on the schema are compared as a set.
"""

from __future__ import annotations

from typing import Any

from graphql import parse
from graphql.language import (
    DirectiveDefinitionNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    UnionTypeDefinitionNode,
    print_ast,
)


def _directives(nodes: Any) -> list[str]:
    result = []
    for node in nodes or ():
        args = sorted(f"{a.name.value}: {print_ast(a.value)}" for a in node.arguments or ())
        result.append(f"@{node.name.value}({', '.join(args)})")
    return sorted(result)


def _description(node: Any) -> str | None:
    return node.description.value.strip() if node.description else None


def _input_values(nodes: Any) -> dict[str, Any]:
    result = {}
    for node in nodes or ():
        assert isinstance(node, InputValueDefinitionNode)
        result[node.name.value] = {
            "type": print_ast(node.type),
            "default": print_ast(node.default_value) if node.default_value else None,
            "description": _description(node),
            "directives": _directives(node.directives),
        }
    return result


def normalise(sdl: str) -> dict[str, Any]:
    """One comparable value per definition, keyed by ``kind name``."""
    out: dict[str, Any] = {}
    for node in parse(sdl).definitions:
        if isinstance(node, SchemaDefinitionNode):
            out["schema"] = {
                "operations": {o.operation.value: o.type.name.value for o in node.operation_types},
                "directives": _directives(node.directives),
            }
        elif isinstance(node, DirectiveDefinitionNode):
            out[f"directive @{node.name.value}"] = {
                "args": _input_values(node.arguments),
                "repeatable": node.repeatable,
                "locations": sorted(loc.value for loc in node.locations),
            }
        else:
            common: dict[str, Any] = {
                "description": _description(node),
                "directives": _directives(node.directives),  # type: ignore[attr-defined]
            }
            if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                common["interfaces"] = sorted(i.name.value for i in node.interfaces or ())
                common["fields"] = {
                    f.name.value: {
                        "type": print_ast(f.type),
                        "args": _input_values(f.arguments),
                        "description": _description(f),
                        "directives": _directives(f.directives),
                    }
                    for f in node.fields or ()
                }
            elif isinstance(node, UnionTypeDefinitionNode):
                common["members"] = sorted(t.name.value for t in node.types or ())
            elif isinstance(node, EnumTypeDefinitionNode):
                common["values"] = {
                    v.name.value: {
                        "description": _description(v),
                        "directives": _directives(v.directives),
                    }
                    for v in node.values or ()
                }
            elif isinstance(node, InputObjectTypeDefinitionNode):
                common["fields"] = _input_values(node.fields)
            else:
                assert isinstance(node, ScalarTypeDefinitionNode), type(node)
            kind = type(node).__name__.replace("TypeDefinitionNode", "")
            out[f"{kind} {node.name.value}"] = common  # type: ignore[attr-defined]
    return out


def differences(ours: str, theirs: str) -> list[str]:
    """Human-readable differences between two supergraphs; empty when they agree."""
    a, b = normalise(ours), normalise(theirs)
    found: list[str] = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            found.append(f"missing {key}")
        elif key not in b:
            found.append(f"extra {key}")
        else:
            _diff(key, a[key], b[key], found)
    return found


def _diff(path: str, ours: Any, theirs: Any, found: list[str]) -> None:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs), key=str):
            if key not in ours:
                found.append(f"{path}.{key}: missing (expected {theirs[key]!r})")
            elif key not in theirs:
                found.append(f"{path}.{key}: extra ({ours[key]!r})")
            else:
                _diff(f"{path}.{key}", ours[key], theirs[key], found)
    elif ours != theirs:
        found.append(f"{path}: ours {ours!r} != expected {theirs!r}")
