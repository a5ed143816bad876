"""Random valid operations over a supergraph's API schema.

Each operation walks the schema from ``Query`` a few levels deep and mixes what
planners find hard: aliases, inline fragments on every possible type of an abstract
field (and on the object type itself), named fragments, ``__typename`` anywhere,
arguments as literals or variables (nullable variables with defaults in non-null
positions too), and ``@skip``/``@include`` decided by variables, so that whole
sub-selections disappear at planning time. Operations the validator rejects are
drawn again; what comes out is always valid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)

from aggregator.validation import validation_rules
from tests.differential.world import IDS_PER_TYPE, entity_id

MAX_DEPTH = 4


@dataclass
class Operation:
    query: str
    variables: dict[str, Any]


@dataclass
class _Draft:
    rng: random.Random
    schema: GraphQLSchema
    definitions: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # values -------------------------------------------------------------------
    def id_value(self, field_type: Any) -> str:
        named = get_named_type(field_type)
        candidates = [named.name]
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            candidates = [t.name for t in self.schema.get_possible_types(named)] or [named.name]
        return entity_id(self.rng.choice(candidates), self.rng.randint(1, IDS_PER_TYPE))

    def argument(self, name: str, arg: GraphQLArgument, returns: Any) -> str | None:
        rng = self.rng
        required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
        if not required and rng.random() < 0.5:
            return None
        named = get_named_type(arg.type)
        if named.name == "ID":
            return f'{name}: "{self.id_value(returns)}"'
        if named.name != "Int":
            return None if not required else f"{name}: 1"
        value = rng.randint(1, 3)
        if rng.random() < 0.4:
            variable = self.fresh("i")
            kind = rng.random()
            if kind < 0.4:
                # a nullable variable with a default may stand in a non-null position
                self.definitions.append(f"${variable}: Int = {value}")
            elif kind < 0.7:
                self.definitions.append(f"${variable}: Int!")
                self.variables[variable] = value
            else:
                self.definitions.append(f"${variable}: Int = 2")
                self.variables[variable] = value
            return f"{name}: ${variable}"
        return f"{name}: {value}"

    def directive(self) -> str:
        rng = self.rng
        if rng.random() > 0.25:
            return ""
        which = rng.choice(["skip", "include"])
        if rng.random() < 0.2:
            return f" @{which}(if: {rng.choice(['true', 'false'])})"
        variable = self.fresh("b")
        if rng.random() < 0.2:
            self.definitions.append(f"${variable}: Boolean = {rng.choice(['true', 'false'])}")
        else:
            self.definitions.append(f"${variable}: Boolean!")
            self.variables[variable] = rng.random() < 0.5
        return f" @{which}(if: ${variable})"

    # selections -----------------------------------------------------------------
    def selection_set(self, parent: Any, depth: int) -> str:
        parts = self.selections(parent, depth)
        if self.rng.random() < 0.15:
            name = self.fresh("F")
            self.fragments.append(f"fragment {name} on {parent.name} {{ {' '.join(parts)} }}")
            parts = [f"...{name}{self.directive()}"]
        return "{ " + " ".join(parts) + " }"

    def selections(self, parent: Any, depth: int) -> list[str]:
        rng = self.rng
        parts: list[str] = []
        if isinstance(parent, GraphQLUnionType | GraphQLInterfaceType):
            if rng.random() < 0.5:
                parts.append("__typename")
            if isinstance(parent, GraphQLInterfaceType):
                parts += self.fields(parent, depth, rng.randint(0, 2))
            possible = list(self.schema.get_possible_types(parent))
            for member in rng.sample(possible, min(len(possible), rng.randint(1, 3))):
                inner = self.selections(member, depth)
                parts.append(f"... on {member.name}{self.directive()} {{ {' '.join(inner)} }}")
            return parts or ["__typename"]
        parts += self.fields(parent, depth, rng.randint(1, 4))
        if rng.random() < 0.1:
            parts.append("__typename")
        if rng.random() < 0.1:
            inner = self.fields(parent, depth, 1)
            if inner:
                parts.append(f"... on {parent.name}{self.directive()} {{ {' '.join(inner)} }}")
        return parts or ["__typename"]

    def fields(self, parent: Any, depth: int, count: int) -> list[str]:
        rng = self.rng
        names = [n for n in parent.fields if not n.startswith("__")]
        if depth >= MAX_DEPTH:
            names = [n for n in names if is_leaf_type(get_named_type(parent.fields[n].type))]
        out: list[str] = []
        for name in rng.sample(names, min(len(names), count)):
            definition = parent.fields[name]
            args = [
                a
                for n, arg in definition.args.items()
                if (a := self.argument(n, arg, definition.type))
            ]
            text = name + (f"({', '.join(args)})" if args else "")
            if rng.random() < 0.25:
                text = f"{self.fresh('a')}: {text}"
            text += self.directive()
            named = get_named_type(definition.type)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                text += " " + self.selection_set(named, depth + 1)
            out.append(text)
        return out


def random_operation(
    schema: GraphQLSchema, rng: random.Random, attempts: int = 20
) -> Operation | None:
    """One valid operation, or None when ``attempts`` drafts all fail validation."""
    query_type = schema.query_type
    assert query_type is not None
    for _ in range(attempts):
        draft = _Draft(rng, schema)
        body = draft.selection_set(query_type, 1)
        head = "query"
        if draft.definitions:
            head += "(" + ", ".join(draft.definitions) + ")"
        text = " ".join([head, body, *draft.fragments])
        if not validate(schema, parse(text), validation_rules()):
            return Operation(text, draft.variables)
    return None
