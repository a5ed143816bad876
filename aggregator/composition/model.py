"""The shapes composition works on: one subgraph schema, normalised.

A subgraph SDL is read into these plain dataclasses once (``subgraph.py``):
federation directives renamed by ``@link`` imports are stored under their
canonical names (``key``, ``shareable``...), type extensions are folded into
their type, root types are renamed to Query/Mutation/Subscription, and the
federation plumbing (``_Any``, ``_entities``...) is left out. Everything after
that step reads only these values. Types are kept as SDL strings
(``"[Int!]!"``); argument values and defaults as graphql-core value nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from graphql.language import DirectiveDefinitionNode, StringValueNode, ValueNode


class TypeKind(StrEnum):
    OBJECT = "Object Type"
    INTERFACE = "Interface Type"
    UNION = "Union Type"
    ENUM = "Enum Type"
    INPUT_OBJECT = "Input Object Type"
    SCALAR = "Scalar Type"


@dataclass
class AppliedDirective:
    name: str
    args: dict[str, ValueNode] = field(default_factory=dict)
    #: written on an ``extend type`` block (a @key there makes ``@join__type(extension: true)``)
    in_extension: bool = False

    def string_arg(self, name: str) -> str | None:
        value = self.args.get(name)
        return value.value if isinstance(value, StringValueNode) else None


@dataclass
class Directed:
    """Anything that can carry applied directives."""

    directives: list[AppliedDirective] = field(default_factory=list)

    def applied(self, name: str) -> list[AppliedDirective]:
        return [d for d in self.directives if d.name == name]

    def has(self, name: str) -> bool:
        return any(d.name == name for d in self.directives)


@dataclass
class InputValueDef(Directed):
    name: str = ""
    type: str = ""
    default: ValueNode | None = None
    description: str | None = None


@dataclass
class FieldDef(Directed):
    name: str = ""
    type: str = ""
    args: dict[str, InputValueDef] = field(default_factory=dict)
    description: str | None = None


@dataclass
class EnumValueDef(Directed):
    name: str = ""
    description: str | None = None


@dataclass
class TypeDef(Directed):
    kind: TypeKind = TypeKind.OBJECT
    name: str = ""
    description: str | None = None
    fields: dict[str, FieldDef] = field(default_factory=dict)
    input_fields: dict[str, InputValueDef] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, EnumValueDef] = field(default_factory=dict)
    extension: bool = False
    #: only ``extend type`` blocks define it in this subgraph (before Fed 1 upgrading)
    only_extensions: bool = False
    shareable_fields: set[str] = field(default_factory=set)

    @property
    def is_interface_object(self) -> bool:
        return self.kind is TypeKind.OBJECT and self.has("interfaceObject")

    @property
    def merge_kind(self) -> TypeKind:
        """Kind as the supergraph sees it (an @interfaceObject is an interface)."""
        return TypeKind.INTERFACE if self.is_interface_object else self.kind


@dataclass
class LinkedSpec:
    """A non-federation ``@link`` kept for ``@composeDirective``."""

    url: str
    imports: list[str]


@dataclass
class Subgraph:
    name: str
    url: str
    fed2: bool
    fed_minor: int
    types: dict[str, TypeDef] = field(default_factory=dict)
    directive_defs: dict[str, DirectiveDefinitionNode] = field(default_factory=dict)
    composed: list[str] = field(default_factory=list)
    links: list[LinkedSpec] = field(default_factory=list)
    #: federation directive -> the name this subgraph imported it under (explicit imports only)
    imported_as: dict[str, str] = field(default_factory=dict)


def base_type(type_ref: str) -> str:
    """``"[Foo!]!"`` -> ``"Foo"``."""
    return type_ref.replace("[", "").replace("]", "").replace("!", "")


def rename_base(type_ref: str, renames: dict[str, str]) -> str:
    name = base_type(type_ref)
    if name not in renames:
        return type_ref
    return type_ref.replace(name, renames[name])
