"""A random, valid Federation 2 subgraph set from a seed, with data every gateway agrees on.

A *world* is a handful of entity types spread over two to four subgraphs: keys of every
shape (single, composite, several keys, a nested object), fields owned by one subgraph
or ``@shareable`` in two, references between entities (with ``resolvable: false`` stubs),
``@requires`` (sometimes of a field with arguments), ``@provides``, ``@override``, a value
interface, an entity interface extended through ``@interfaceObject``, and unions.

Data is a pure function of (type, entity id, field, arguments): every subgraph that can
answer a field answers it alike, so any correct plan gives the same response, and a
wrong plan (a field read from a subgraph that cannot answer it, a representation
missing a required field) gives a different one. Fields a subgraph marks ``@external``
have no resolver: they are answered from the object the subgraph was given (a
representation, or a row under ``@provides``), exactly like an Apollo subgraph.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.federation.subgraph import Resolvers

FED2 = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
    '["@key", "@shareable", "@external", "@requires", "@provides", "@override", '
    '"@interfaceObject"])'
)
ENTITY_NAMES = ["Product", "User", "Order", "Store", "Parcel"]
IDS_PER_TYPE = 4
COLORS = ("RED", "GREEN", "BLUE")
SCALARS = ("String", "Int", "Boolean", "Color")
# key fields and interface fields: never moved by @requires, @provides or @override
RESERVED = ("id", "sku", "meta", "label")


def digest(*parts: object) -> int:
    text = "|".join(repr(p) for p in parts)
    return int(hashlib.blake2b(text.encode(), digest_size=8).hexdigest(), 16)


def args_key(args: dict[str, Any]) -> str:
    return ",".join(f"{k}={args[k]!r}" for k in sorted(args))


# ------------------------------------------------------------------ the model
@dataclass
class FieldDef:
    """One field of a type, with how each subgraph declares it."""

    name: str
    type: str  # GraphQL type, e.g. "String!", "[Store!]!", "Node"
    args: str = ""  # e.g. "(n: Int = 1)"
    # subgraph -> directives text on that subgraph's declaration ("" for a plain field)
    declared: dict[str, str] = field(default_factory=dict)
    # subgraphs that declare it @external (answered from the given object only)
    external: set[str] = field(default_factory=set)
    requires: tuple[str, str] | None = None  # (subgraph, field set)
    provides: dict[str, list[str]] = field(default_factory=dict)  # subgraph -> fields
    # abstract fields every subgraph answers with objects of this one type only
    only: str | None = None
    # subgraph -> the narrower type it declares the field with (a member of the union)
    narrowed: dict[str, str] = field(default_factory=dict)

    @property
    def named(self) -> str:
        return self.type.replace("[", "").replace("]", "").replace("!", "")

    @property
    def is_list(self) -> bool:
        return self.type.startswith("[")

    @property
    def nullable(self) -> bool:
        return not self.type.endswith("!")


@dataclass
class TypeDef:
    name: str
    kind: str  # "entity", "value", "interface", "union", "enum"
    keys: list[str] = field(default_factory=list)  # key field sets, entities
    home: str = ""
    # subgraph -> keys it declares (entities); non-resolvable stubs in ``stubs``
    known: dict[str, list[str]] = field(default_factory=dict)
    stubs: set[str] = field(default_factory=set)
    fields: dict[str, FieldDef] = field(default_factory=dict)
    implements: dict[str, list[str]] = field(default_factory=dict)  # subgraph -> interfaces
    members: dict[str, list[str]] = field(default_factory=dict)  # unions: subgraph -> members
    interface_object_in: set[str] = field(default_factory=set)


@dataclass
class World:
    seed: int
    subgraphs: list[str]
    types: dict[str, TypeDef] = field(default_factory=dict)
    roots: dict[str, FieldDef] = field(default_factory=dict)

    def entities(self) -> list[TypeDef]:
        return [t for t in self.types.values() if t.kind == "entity"]


def entity_id(type_name: str, n: int) -> str:
    return f"{type_name}-{n}"


# -------------------------------------------------------------- generation
class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        count = self.rng.randint(2, 4)
        self.world = World(seed, [f"s{i}" for i in range(count)])
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def build(self) -> World:
        rng = self.rng
        world = self.world
        for name in ENTITY_NAMES[: rng.randint(2, 4)]:
            self.entity(name)
        for entity in world.entities():
            for _ in range(rng.randint(2, 4)):
                self.scalar_field(entity)
        for entity in world.entities():
            for _ in range(rng.randint(0, 2)):
                self.reference_field(entity)
        for _ in range(rng.randint(0, 2)):
            self.requires_field()
        for _ in range(rng.randint(0, 1)):
            self.provides_field()
        for _ in range(rng.randint(0, 1)):
            self.override_field()
        if rng.random() < 0.4:
            self.value_interface()
        if rng.random() < 0.4:
            self.entity_interface()
        if rng.random() < 0.4:
            self.union()
        if rng.random() < 0.4:
            self.shared_union()
        self.root_fields()
        return world

    # entities -------------------------------------------------------------
    def entity(self, name: str) -> None:
        rng = self.rng
        shape = rng.choice(["id", "id", "composite", "multiple", "nested"])
        keys = {
            "id": ["id"],
            "composite": ["id sku"],
            "multiple": ["id", "sku"],
            "nested": ["id meta { code }"],
        }[shape]
        home = rng.choice(self.world.subgraphs)
        entity = TypeDef(name, "entity", keys=keys, home=home)
        entity.known[home] = list(keys)
        entity.fields["id"] = FieldDef("id", "ID!")
        if shape in ("composite", "multiple"):
            entity.fields["sku"] = FieldDef("sku", "String!")
        if shape == "nested":
            entity.fields["meta"] = FieldDef("meta", "Meta!")
            self.world.types.setdefault("Meta", TypeDef("Meta", "value"))
            meta = self.world.types["Meta"]
            meta.fields.setdefault("code", FieldDef("code", "String!"))
        for graph in self.world.subgraphs:
            if graph != home and rng.random() < 0.5:
                entity.known[graph] = [rng.choice(keys)]
        self.world.types[name] = entity

    def knows(self, entity: TypeDef, graph: str) -> bool:
        return graph in entity.known

    def add_stub(self, entity: TypeDef, graph: str) -> None:
        """``graph`` references ``entity`` without fields of its own."""
        if graph in entity.known:
            return
        entity.known[graph] = [self.rng.choice(entity.keys)]
        if self.rng.random() < 0.5:
            entity.stubs.add(graph)

    def resolvable_in(self, entity: TypeDef, graph: str) -> bool:
        return graph in entity.known and graph not in entity.stubs

    def scalar_field(self, entity: TypeDef) -> None:
        rng = self.rng
        graphs = [g for g in entity.known if self.resolvable_in(entity, g)]
        name = self.fresh("f")
        scalar = rng.choice(SCALARS)
        if scalar == "Color":
            self.world.types.setdefault("Color", TypeDef("Color", "enum"))
        type_str = scalar + ("!" if rng.random() < 0.5 else "")
        args = rng.choice(["", "", "", "(n: Int = 1)", "(n: Int!)"])
        fdef = FieldDef(name, type_str, args)
        owner = entity.home if rng.random() < 0.5 else rng.choice(graphs)
        if len(graphs) > 1 and rng.random() < 0.3:
            other = rng.choice([g for g in graphs if g != owner])
            fdef.declared[owner] = "@shareable"
            fdef.declared[other] = "@shareable"
        else:
            fdef.declared[owner] = ""
        entity.fields[name] = fdef

    def reference_field(self, entity: TypeDef) -> None:
        rng = self.rng
        targets = [t for t in self.world.entities() if t.name != entity.name] or [entity]
        target = rng.choice(targets)
        graph = rng.choice([g for g in entity.known if self.resolvable_in(entity, g)])
        self.add_stub(target, graph)
        type_str = rng.choice([target.name, f"[{target.name}!]!", f"{target.name}!"])
        name = self.fresh("to" + target.name)
        entity.fields[name] = FieldDef(name, type_str, declared={graph: ""})

    # directives -----------------------------------------------------------
    def requires_field(self) -> None:
        rng = self.rng
        options = []
        for entity in self.world.entities():
            for graph in entity.known:
                if not self.resolvable_in(entity, graph):
                    continue
                for fdef in entity.fields.values():
                    if fdef.name in RESERVED or fdef.named not in SCALARS:
                        continue
                    if graph in fdef.declared or fdef.requires or fdef.provides:
                        continue
                    options.append((entity, graph, fdef))
        if not options:
            return
        entity, graph, needed = rng.choice(options)
        needed.external.add(graph)
        selection = needed.name
        if needed.args:
            selection += f"(n: {rng.randint(1, 3)})"
        name = self.fresh("req")
        fdef = FieldDef(name, "String!", declared={graph: f'@requires(fields: "{selection}")'})
        fdef.requires = (graph, selection)
        entity.fields[name] = fdef

    def provides_field(self) -> None:
        rng = self.rng
        options = []
        for entity in self.world.entities():
            for fdef in entity.fields.values():
                target = self.world.types.get(fdef.named)
                if target is None or target.kind != "entity" or len(fdef.declared) != 1:
                    continue
                graph = next(iter(fdef.declared))
                provided = [
                    f
                    for f in target.fields.values()
                    if f.named in SCALARS
                    and f.name not in RESERVED
                    and not f.args
                    and all(d in ("", "@shareable") for d in f.declared.values())
                    and graph not in f.declared
                    and not f.external
                    and not f.requires
                ]
                if provided:
                    options.append((fdef, graph, target, provided))
        if not options:
            return
        fdef, graph, target, provided = rng.choice(options)
        chosen = rng.choice(provided)
        chosen.external.add(graph)
        for owner in chosen.declared:
            # a provided field is resolved from two subgraphs: shareable where it lives
            chosen.declared[owner] = "@shareable"
        fdef.provides[graph] = [chosen.name]
        fdef.declared[graph] = f'@provides(fields: "{chosen.name}")'
        if graph in target.stubs:
            target.stubs.discard(graph)

    def override_field(self) -> None:
        rng = self.rng
        options = []
        for entity in self.world.entities():
            for fdef in entity.fields.values():
                if fdef.name in RESERVED or fdef.named not in SCALARS or len(fdef.declared) != 1:
                    continue
                if fdef.requires or fdef.provides or fdef.external:
                    continue
                owner = next(iter(fdef.declared))
                if fdef.declared[owner]:
                    continue
                others = [g for g in entity.known if g != owner and self.resolvable_in(entity, g)]
                if others:
                    options.append((fdef, owner, rng.choice(others)))
        if not options:
            return
        fdef, owner, graph = rng.choice(options)
        fdef.declared[graph] = f'@override(from: "{owner}")'

    # abstract types ---------------------------------------------------------
    def value_interface(self) -> None:
        """``interface Named { label }`` implemented by entities of one subgraph."""
        rng = self.rng
        graph = rng.choice(self.world.subgraphs)
        members = [e for e in self.world.entities() if self.resolvable_in(e, graph)]
        if len(members) < 2:
            return
        members = rng.sample(members, 2)
        iface = TypeDef("Named", "interface", home=graph)
        iface.fields["label"] = FieldDef("label", "String!", declared={graph: ""})
        self.world.types["Named"] = iface
        for member in members:
            member.fields["label"] = FieldDef("label", "String!", declared={graph: ""})
            member.implements.setdefault(graph, []).append("Named")
        self.world.roots["named"] = FieldDef("named", "[Named!]!", declared={graph: ""})

    def entity_interface(self) -> None:
        """``interface Node @key(fields: "id")`` in one subgraph, an @interfaceObject
        in another that adds a field to every implementation."""
        rng = self.rng
        graph = rng.choice(self.world.subgraphs)
        members = [
            e
            for e in self.world.entities()
            if e.home == graph and "id" in e.keys and "label" not in e.fields
        ]
        others = [
            g for g in self.world.subgraphs if g != graph and not any(g in m.known for m in members)
        ]
        if not members or not others:
            return
        node = TypeDef("Node", "interface", keys=["id"], home=graph)
        node.known[graph] = ["id"]
        node.fields["id"] = FieldDef("id", "ID!")
        holder = rng.choice(others)
        node.known[holder] = ["id"]
        node.interface_object_in.add(holder)
        extra = self.fresh("nodeField")
        node.fields[extra] = FieldDef(extra, "String", declared={holder: ""})
        self.world.types["Node"] = node
        for member in members:
            member.implements.setdefault(graph, []).append("Node")
        self.world.roots["nodes"] = FieldDef("nodes", "[Node!]!", declared={holder: ""})
        if rng.random() < 0.5:
            self.world.roots["node"] = FieldDef("node", "Node", "(id: ID!)", declared={graph: ""})

    def union(self) -> None:
        rng = self.rng
        graph = rng.choice(self.world.subgraphs)
        members = [e for e in self.world.entities() if self.resolvable_in(e, graph)]
        if len(members) < 2:
            return
        union = TypeDef("Thing", "union", home=graph)
        union.members[graph] = [m.name for m in rng.sample(members, 2)]
        self.world.types["Thing"] = union
        self.world.roots["things"] = FieldDef("things", "[Thing!]!", declared={graph: ""})

    def shared_union(self) -> None:
        """``union Media`` in two subgraphs with different members (one shared), reached
        through ``@shareable`` fields; and a shareable field typed ``Media`` in one
        subgraph but as the shared member itself in the other. Both answer only the
        shared member, so they agree."""
        rng = self.rng
        graphs = rng.sample(self.world.subgraphs, 2)
        entities = self.world.entities()
        shared = [e for e in entities if all(self.resolvable_in(e, g) for g in graphs)]
        if not shared:
            return
        common = rng.choice(shared)
        union = TypeDef("Media", "union")
        for graph in graphs:
            own = [e.name for e in entities if e is not common and self.resolvable_in(e, graph)]
            union.members[graph] = [common.name, *rng.sample(own, min(1, len(own)))]
        self.world.types["Media"] = union
        self.world.roots["media"] = FieldDef(
            "media", "[Media!]!", declared=dict.fromkeys(graphs, "@shareable")
        )
        self.world.roots["media"].only = common.name
        holder = rng.choice([e for e in entities if all(self.resolvable_in(e, g) for g in graphs)])
        pick = FieldDef("pick", "Media", declared=dict.fromkeys(graphs, "@shareable"))
        pick.only = common.name
        pick.narrowed = {graphs[0]: common.name}
        holder.fields["pick"] = pick

    def root_fields(self) -> None:
        rng = self.rng
        for entity in self.world.entities():
            graphs = [g for g in entity.known if self.resolvable_in(entity, g)]
            chosen = rng.sample(graphs, min(len(graphs), rng.choice([1, 1, 2])))
            shared = "@shareable" if len(chosen) > 1 else ""
            lower = entity.name[0].lower() + entity.name[1:]
            if rng.random() < 0.7:
                self.world.roots[f"all{entity.name}"] = FieldDef(
                    f"all{entity.name}",
                    f"[{entity.name}!]!",
                    declared=dict.fromkeys(chosen, shared),
                )
            if "id" in entity.keys[0].split() and rng.random() < 0.5:
                self.world.roots[lower] = FieldDef(
                    lower, entity.name, "(id: ID!)", declared=dict.fromkeys(chosen, shared)
                )
        if not self.world.roots:
            first = self.world.entities()[0]
            self.world.roots[f"all{first.name}"] = FieldDef(
                f"all{first.name}", f"[{first.name}!]!", declared={first.home: ""}
            )


def generate(seed: int) -> World:
    return _Builder(seed).build()


# ----------------------------------------------------------------- SDL
def _field_line(fdef: FieldDef, graph: str) -> str | None:
    if graph in fdef.external:
        return f"  {fdef.name}{fdef.args}: {fdef.type} @external"
    if graph not in fdef.declared:
        return None
    directives = fdef.declared[graph]
    type_str = (
        fdef.type.replace(fdef.named, fdef.narrowed[graph]) if graph in fdef.narrowed else fdef.type
    )
    return f"  {fdef.name}{fdef.args}: {type_str}" + (f" {directives}" if directives else "")


def _key_fields(key: str) -> set[str]:
    depth = 0
    names: set[str] = set()
    for token in key.replace("{", " { ").replace("}", " } ").split():
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.add(token)
    return names


def subgraph_sdl(world: World, graph: str) -> str:
    parts = [FED2, ""]
    roots = [line for r in world.roots.values() if (line := _field_line(r, graph))]
    if roots:
        parts.append("type Query {\n" + "\n".join(roots) + "\n}\n")
    uses_meta = False
    uses_color = False
    for type_def in world.types.values():
        if type_def.kind == "entity" and graph in type_def.known:
            keys = type_def.known[graph]
            key_names = set().union(*(_key_fields(k) for k in keys))
            resolvable = "" if graph not in type_def.stubs else ", resolvable: false"
            heads = " ".join(f'@key(fields: "{k}"{resolvable})' for k in keys)
            implements = type_def.implements.get(graph, [])
            head = f"type {type_def.name}"
            if implements:
                head += " implements " + " & ".join(implements)
            lines = []
            for fdef in type_def.fields.values():
                if fdef.name in key_names:
                    lines.append(f"  {fdef.name}: {fdef.type}")
                    continue
                line = _field_line(fdef, graph)
                if line is not None and graph not in type_def.stubs:
                    lines.append(line)
            if "meta" in key_names:
                uses_meta = True
            uses_color |= any("Color" in ln for ln in lines)
            parts.append(f"{head} {heads} {{\n" + "\n".join(lines) + "\n}\n")
        elif type_def.kind == "interface" and type_def.name == "Named" and type_def.home == graph:
            parts.append("interface Named {\n  label: String!\n}\n")
        elif type_def.kind == "interface" and type_def.name == "Node":
            if graph == type_def.home:
                parts.append('interface Node @key(fields: "id") {\n  id: ID!\n}\n')
            elif graph in type_def.interface_object_in:
                lines = ["  id: ID!"]
                lines += [ln for f in type_def.fields.values() if (ln := _field_line(f, graph))]
                parts.append(
                    'type Node @key(fields: "id") @interfaceObject {\n' + "\n".join(lines) + "\n}\n"
                )
        elif type_def.kind == "union" and graph in type_def.members:
            parts.append(f"union {type_def.name} = " + " | ".join(type_def.members[graph]) + "\n")
    uses_color |= any("Color" in ln for ln in roots)
    if uses_meta:
        parts.append("type Meta @shareable {\n  code: String!\n}\n")
    if uses_color:
        parts.append("enum Color {\n  " + "\n  ".join(COLORS) + "\n}\n")
    return "\n".join(parts)


# ----------------------------------------------------------------- data
def _scalar(named: str, nullable: bool, *parts: object) -> Any:
    h = digest(*parts)
    if nullable and h % 7 == 0:
        return None
    if named == "Int":
        return h % 1000
    if named == "Boolean":
        return h % 2 == 0
    if named == "Color":
        return COLORS[h % 3]
    return f"{parts[-2]}-{h % 100}"


def identity_row(world: World, type_name: str, ident: str) -> dict[str, Any]:
    """The key fields of one entity, every key's fields included."""
    entity = world.types[type_name]
    row: dict[str, Any] = {"__typename": type_name, "id": ident}
    if "sku" in entity.fields:
        row["sku"] = "sku-" + ident
    if "meta" in entity.fields:
        row["meta"] = {"code": "code-" + ident}
    return row


def ident_of(rep: dict[str, Any]) -> str:
    if "id" in rep:
        return str(rep["id"])
    return str(rep["sku"])[len("sku-") :]


def _reference(
    world: World, target: str, fdef: FieldDef, parent_id: str, args: dict[str, Any]
) -> Any:
    h = digest(fdef.name, parent_id, args_key(args))
    if fdef.is_list:
        return [
            identity_row(world, target, entity_id(target, (h + i) % IDS_PER_TYPE + 1))
            for i in range(h % 3)
        ]
    if fdef.nullable and h % 5 == 0:
        return None
    return identity_row(world, target, entity_id(target, h % IDS_PER_TYPE + 1))


def value_of(
    world: World, owner: str, fdef: FieldDef, parent: dict[str, Any], args: dict[str, Any]
) -> Any:
    """The one answer every subgraph gives for ``owner.fdef`` on ``parent``."""
    ident = ident_of(parent)
    target = world.types.get(fdef.named)
    if fdef.only is not None:
        return _reference(world, fdef.only, fdef, ident, args)
    if target is not None and target.kind == "entity":
        return _reference(world, target.name, fdef, ident, args)
    if fdef.requires is not None:
        needed = fdef.requires[1].split("(")[0]
        return f"{fdef.name}:{parent.get(needed)!r}"
    return _scalar(fdef.named, fdef.nullable, owner, ident, fdef.name, args_key(args))


def _provided(world: World, fdef: FieldDef, graph: str, value: Any) -> Any:
    """Rows under ``@provides`` carry the provided fields' values."""
    names = fdef.provides.get(graph)
    if not names or value is None:
        return value
    target = world.types[fdef.named]
    rows = value if isinstance(value, list) else [value]
    for row in rows:
        for name in names:
            row[name] = value_of(world, target.name, target.fields[name], row, {})
    return value


def _members(world: World, abstract: TypeDef, graph: str) -> list[str]:
    if abstract.kind == "union":
        return abstract.members[graph]
    return [t.name for t in world.entities() if abstract.name in t.implements.get(graph, [])]


def resolvers(world: World, graph: str) -> Resolvers:
    out: Resolvers = {}

    def field_resolver(owner: str, fdef: FieldDef) -> Callable[[Any, dict[str, Any]], Any]:
        def resolve(parent: dict[str, Any], args: dict[str, Any]) -> Any:
            return _provided(world, fdef, graph, value_of(world, owner, fdef, parent, args))

        return resolve

    for type_def in world.types.values():
        if type_def.kind == "entity" and graph in type_def.known and graph not in type_def.stubs:
            name = type_def.name
            out[name] = lambda rep, name=name: identity_row(world, name, ident_of(rep))
            for fdef in type_def.fields.values():
                if fdef.name in ("id", "sku", "meta"):
                    continue
                if graph in fdef.declared and graph not in fdef.external:
                    out[f"{name}.{fdef.name}"] = field_resolver(name, fdef)
        if type_def.name == "Node" and graph == type_def.home:
            # an entity interface's reference resolver names the concrete type
            out["Node"] = lambda rep: identity_row(world, str(rep["id"]).split("-")[0], rep["id"])
        if type_def.name == "Node" and graph in type_def.interface_object_in:
            out["Node"] = lambda rep: {"id": rep["id"]}
            for fdef in type_def.fields.values():
                if fdef.name != "id" and graph in fdef.declared:
                    out[f"Node.{fdef.name}"] = field_resolver("Node", fdef)
    for root in world.roots.values():
        if graph not in root.declared:
            continue
        out[f"Query.{root.name}"] = _root_resolver(world, root, graph)
    if "Meta" in world.types and any(
        "meta" in e.fields and graph in e.known for e in world.entities()
    ):
        out["Meta.code"] = lambda parent, _: parent["code"]
    return out


def _root_resolver(
    world: World, root: FieldDef, graph: str
) -> Callable[[Any, dict[str, Any]], Any]:
    target = world.types[root.named]

    def resolve(_parent: Any, args: dict[str, Any]) -> Any:
        if target.kind == "entity":
            if "id" in args:
                return identity_row(world, target.name, str(args["id"]))
            return [identity_row(world, target.name, entity_id(target.name, n)) for n in (1, 2, 3)]
        if target.kind == "interface" and graph in target.interface_object_in:
            members = [
                t.name for t in world.entities() if "Node" in t.implements.get(target.home, [])
            ]
            return [{"id": entity_id(m, 1)} for m in members]
        members = [root.only] if root.only else _members(world, target, graph)
        rows = [identity_row(world, m, entity_id(m, n)) for m in members for n in (1, 2)]
        if "id" in args:
            found = [r for r in rows if r["id"] == args["id"]]
            return found[0] if found else None
        return rows

    return resolve
