"""Random subgraph sets for differential testing of composition (see ``fuzz.py``).

Every choice comes from one RNG seeded by the seed number, so a seed always
gives the same set for one version of this file. The sets are mostly valid
federation, with mistakes left in on purpose often enough that the error
paths are compared too. Shapes: entities with simple, compound and nested
keys (an object list, an entity inside the key) spread over 2-4 subgraphs,
shareable value types, @requires (also of fields with arguments) and
@external, @provides (also on union and interface fields), @override (also
of an interface implementation's field, and of an @external field),
resolvable:false keys, unions, value and entity interfaces, interfaces whose
fields other subgraphs' versions add, @interfaceObject (also non-resolvable),
enums, input objects, shared root fields, @tag/@inaccessible/@deprecated,
descriptions, and Federation 1 subgraphs (``extend type``, @extends).
"""

from __future__ import annotations

import random
import re

SECURITY_IMPORTS = ["@authenticated", "@requiresScopes", "@policy", "@cost"]
SCALARS = ["Int", "String", "Boolean", "Float", "ID"]
IMPORTS = [
    "@key",
    "@shareable",
    "@external",
    "@requires",
    "@provides",
    "@override",
    "@inaccessible",
    "@tag",
    "@interfaceObject",
]


MEASURE_UNIT = "enum MeasureUnit { A B }"
#: key part -> (field line, type it needs) for the nested parts of generated keys
NESTED_KEY_PARTS = [
    ("org", "  org: Org!", "type Org @shareable { code: String! }"),
    ("items", "  items: [Item!]!", "type Item @shareable { id: ID! pid: String! }"),
    ("ref", "  ref: Ref!", 'type Ref @key(fields: "id") { id: ID! }'),
]


_ENTITY_BLOCK = re.compile(r'^(?:"[^"]*"\n)?type (E\d+) @key')


def _top_level(fields: str) -> list[str]:
    """Top-level field names of a field set: ``id org { code }`` -> id, org."""
    names, depth = [], 0
    for token in fields.replace("{", " { ").replace("}", " } ").split():
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(token)
    return names


class _Generator:
    """One random subgraph set; every choice comes from one seeded RNG."""

    def __init__(self, seed: int, fed1_share: float) -> None:
        self.r = random.Random(seed)
        self.fed1_share = fed1_share
        n = self.r.randint(2, 4)
        self.subs = [f"s{i}" for i in range(n)]
        self.version = self.r.choice(["2.3", "2.3", "2.5", "2.7", "2.9"])
        self.ents = [f"E{i}" for i in range(self.r.randint(1, 4))]
        self.vals = [f"V{i}" for i in range(self.r.randint(0, 2))]
        self.ent_subs = {e: self.r.sample(self.subs, self.r.randint(1, n)) for e in self.ents}
        self.val_subs = {v: self.r.sample(self.subs, self.r.randint(1, n)) for v in self.vals}
        self.keys = {
            e: self.r.choice(
                [
                    "id",
                    "id",
                    "sku",
                    "id sku",
                    "id org { code }",
                    "id items { id pid }",
                    "id ref { id }",
                ]
            )
            for e in self.ents
        }
        self.body: dict[str, list[str]] = {s: [] for s in self.subs}
        self.fields: dict[tuple[str, str], list[str]] = {}
        self.owned: dict[str, list[tuple[str, str, str]]] = {}

    def wrap(self, name: str) -> str:
        c = self.r.random()
        if c < 0.2:
            return f"[{name}]"
        if c < 0.35:
            return f"{name}!"
        if c < 0.45:
            return f"[{name}!]!"
        return name

    def security(self) -> str:
        """Authorization and cost directives, where the federation version has them."""
        if self.version != "2.9":
            return ""
        options = [
            " @authenticated",
            f' @requiresScopes(scopes: [["s{self.r.randint(0, 2)}"]])',
            f' @policy(policies: [["p{self.r.randint(0, 1)}"], ["q"]])',
            f" @cost(weight: {self.r.randint(1, 9)})",
        ]
        return "".join(o for o in options if self.r.random() < 0.12)

    def local_types(self, sub: str, exclude: str | None = None) -> list[str]:
        return [e for e in self.ents if sub in self.ent_subs[e] and e != exclude] + [
            v for v in self.vals if sub in self.val_subs[v]
        ]

    def entities(self) -> None:
        for e in self.ents:
            shared_name = self.r.random() < 0.5
            self.owned[e] = []
            for s in self.ent_subs[e]:
                key_fields = [k for k in _top_level(self.keys[e]) if k in ("id", "sku")]
                lines = [f"  {k}: {'ID!' if k == 'id' else 'String!'}" for k in key_fields]
                for nested, line, block in NESTED_KEY_PARTS:
                    if f" {nested} " in f" {self.keys[e]} ":
                        lines.append(line)
                        if block not in self.body[s]:
                            self.body[s].append(block)
                for j in range(self.r.randint(0, 3)):
                    t = self.wrap(self.r.choice(SCALARS + self.local_types(s, e)))
                    name = f"f_{s}_{j}"
                    extra = ""
                    if self.r.random() < 0.1:
                        extra += f' @tag(name: "t{self.r.randint(0, 2)}")'
                    if self.r.random() < 0.05:
                        extra += " @inaccessible"
                    if self.r.random() < 0.1:
                        extra += f' @deprecated(reason: "old {self.r.randint(0, 1)}")'
                    extra += self.security()
                    desc = f'  "desc {self.r.randint(0, 1)}"\n' if self.r.random() < 0.15 else ""
                    lines.append(f"{desc}  {name}: {t}{extra}")
                    self.owned[e].append((name, t, s))
                if shared_name:
                    lines.append(f"  name: String @shareable{self.security()}")
                self.fields[(e, s)] = lines

    def requires_and_overrides(self) -> None:
        for e in self.ents:
            if len(self.ent_subs[e]) < 2 or not self.owned[e]:
                continue
            name, t, owner = self.r.choice(self.owned[e])
            target = self.r.choice([s for s in self.ent_subs[e] if s != owner])
            c = self.r.random()
            if "org" in self.keys[e] and c < 0.15:
                self.fields[(e, target)].append(
                    '  orgLabel: String @requires(fields: "org { code }")'
                )
            elif c < 0.25:
                self.requires_with_arguments(e, owner, target)
            elif c < 0.3 and len(self.ent_subs[e]) > 2 and t.strip("[]!") in SCALARS:
                # @override of a field its source only holds as @external for a @requires
                third = self.r.choice([x for x in self.ent_subs[e] if x not in (owner, target)])
                self.fields[(e, target)].append(f"  {name}: {t} @external")
                self.fields[(e, target)].append(f'  needs_{name}: Int @requires(fields: "{name}")')
                self.fields[(e, third)].append(f'  {name}: {t} @override(from: "{target}")')
            elif c < 0.35 and t.strip("[]!") in SCALARS:
                self.fields[(e, target)].append(f"  {name}: {t} @external")
                self.fields[(e, target)].append(f'  needs_{name}: Int @requires(fields: "{name}")')
            elif c < 0.55:
                self.fields[(e, owner)] = [
                    line
                    for line in self.fields[(e, owner)]
                    if not (line.startswith(f"  {name}:") or f"\n  {name}:" in line)
                ] + [f"  {name}: {t}"]
                self.fields[(e, target)].append(f'  {name}: {t} @override(from: "{owner}")')

    def requires_with_arguments(self, e: str, owner: str, target: str) -> None:
        """@requires of a field with arguments, valid or not (wrong value, missing argument)."""
        default = " = A" if self.r.random() < 0.7 else ""
        field = f"measure(unit: MeasureUnit!{default}, scale: Int)"
        self.fields[(e, owner)].append(f"  {field}: Float")
        self.fields[(e, target)].append(f"  {field}: Float @external")
        valid = ["measure(unit: B)", "measure(unit: B, scale: 2)", 'measure(unit: \\"A\\")']
        invalid = [
            "measure",
            "measure(unit: C)",
            "measure(scale: 1)",
            "measure(unit: A, scale: 1.5)",
        ]
        selection = self.r.choice(valid if self.r.random() < 0.75 else invalid)
        self.fields[(e, target)].append(f'  needs_measure: Float @requires(fields: "{selection}")')
        for s in (owner, target):
            if MEASURE_UNIT not in self.body[s]:
                self.body[s].append(MEASURE_UNIT)

    def place_entities(self) -> None:
        for (e, s), lines in self.fields.items():
            resolvable = "" if self.r.random() < 0.85 else ", resolvable: false"
            more = ""
            if self.keys[e] == "id sku" and self.r.random() < 0.4:
                more = ' @key(fields: "sku")'
            desc = f'"Entity {e}"\n' if self.r.random() < 0.2 else ""
            more += self.security()
            self.body[s].append(
                f'{desc}type {e} @key(fields: "{self.keys[e]}"{resolvable}){more} {{\n'
                + "\n".join(lines)
                + "\n}"
            )

    def value_types_enums_inputs(self) -> None:
        for v in self.vals:
            for s in self.val_subs[v]:
                amount = (
                    [f"  amount: {self.r.choice(['Int', 'Int!'])}"]
                    if (self.r.random() < 0.7)
                    else []
                )
                self.body[s].append(
                    f"type {v} @shareable {{\n" + "\n".join(["  code: String", *amount]) + "\n}"
                )
        if self.r.random() < 0.7:
            usage = self.r.choice(["in", "out", "both"])
            for s in self.r.sample(self.subs, self.r.randint(1, len(self.subs))):
                values = (
                    ["A", "B"]
                    if usage == "both"
                    else sorted(self.r.sample(["A", "B", "C", "D"], self.r.randint(1, 4)))
                )
                if len(values) > 1 and self.r.random() < 0.2:
                    values[-1] += " @inaccessible"
                self.body[s].append("enum Color { " + " ".join(values) + " }")
                if usage in ("in", "both"):
                    self.body[s].append(f"type Query {{ color_in_{s}(c: Color): Int }}")
                if usage in ("out", "both"):
                    self.body[s].append(f"type Query {{ color_out_{s}: Color }}")
        if self.r.random() < 0.6:
            for s in self.r.sample(self.subs, self.r.randint(1, len(self.subs))):
                chosen = self.r.sample(["a", "b", "c"], self.r.randint(0, 3))
                lines = [f"  q: {self.r.choice(['String', 'String', 'String!'])}"] + [
                    f"  {n}: {self.r.choice(['Int', 'String', 'Int = 3'])}" for n in chosen
                ]
                self.body[s].append("input Filter {\n" + "\n".join(lines) + "\n}")
                self.body[s].append(
                    f"type Query {{ search_{s}(f: Filter, first: Int = 10): [String] }}"
                )

    def abstract_types(self) -> None:
        if self.r.random() < 0.25:
            owner, io = self.r.sample(self.subs, 2)
            self.body[owner] += [
                'interface Account @key(fields: "id") { id: ID! handle: String }',
                'type Admin implements Account @key(fields: "id") '
                "{ id: ID! handle: String level: Int }",
                'type Guest implements Account @key(fields: "id") { id: ID! handle: String }',
                f"type Query {{ accounts_{owner}: [Account] }}",
            ]
            if self.r.random() < 0.7:
                self.body[io].append(
                    'type Account @key(fields: "id") @interfaceObject { id: ID! lastSeen: String }'
                )
            else:  # a reference only: nothing can be resolved from it
                extra = " lastSeen: String" if self.r.random() < 0.3 else ""
                self.body[io].append(
                    'type Account @key(fields: "id", resolvable: false) '
                    f"@interfaceObject {{ id: ID!{extra} }}"
                )
            if self.r.random() < 0.5:
                self.body[io].append(f"type Query {{ account_{io}(id: ID!): Account }}")
            others = [s for s in self.subs if s not in (owner, io)]
            if others and self.r.random() < 0.5:
                second = others[0]
                self.body[second] += [
                    'interface Account @key(fields: "id") { id: ID! handle: String }',
                    'type Admin implements Account @key(fields: "id") '
                    "{ id: ID! handle: String @shareable since: Int }",
                ]
        for s in self.subs:
            members = [e for e in self.ents if s in self.ent_subs[e]]
            if len(members) >= 2 and self.r.random() < 0.3:
                self.body[s].append(f"union U = {' | '.join(members)}")
                self.body[s].append(f"type Query {{ u_{s}: [U] }}")

    def spread_interfaces(self) -> None:
        """An entity interface whose other fields each subgraph's version of it adds."""
        if self.r.random() >= 0.35 or len(self.subs) < 2:
            return
        impls = self.r.sample(["Permit", "License", "Grant"], self.r.randint(1, 3))
        owner, *others = self.r.sample(self.subs, self.r.randint(2, len(self.subs)))
        self.body[owner].append("interface Doc { id: ID! title: String }")
        for impl in impls:
            self.body[owner].append(
                f'type {impl} implements Doc @key(fields: "id") '
                "{ id: ID! title: String issued: Int }"
            )
        self.body[owner].append(f"type Query {{ docs_{owner}: [Doc] }}")
        for other in others:
            field = f"d_{other}"
            self.body[other].append(f"interface Doc {{ id: ID! {field}: String }}")
            for impl in impls:
                if self.r.random() < 0.08:
                    continue  # an implementation missing here: the interface field is not served
                key = "id"
                extra = ""
                if self.r.random() < 0.15:
                    extra = f' title: String @override(from: "{owner}")'
                self.body[other].append(
                    f'type {impl} implements Doc @key(fields: "{key}") '
                    f"{{ id: ID! {field}: String{extra} }}"
                )
            if self.r.random() < 0.4:
                self.body[other].append(f"type Query {{ docs_{other}: [Doc!] }}")

    def provides_on_abstract(self) -> None:
        """@provides on a union- or interface-typed field, through fragments or not."""
        if self.r.random() >= 0.3 or len(self.subs) < 2:
            return
        owner, provider = self.r.sample(self.subs, 2)
        union = self.r.random() < 0.5
        members = ["Letter", "Note"]
        abstract = "union Paper = Letter | Note" if union else "interface Paper { id: ID! }"
        implements = "" if union else " implements Paper"
        for s in (owner, provider):
            self.body[s].append(abstract)
        c = self.r.random()
        provided = (
            "... on Letter { label } ... on Note { label }"
            if c < 0.75
            else "... on Note { label }"
            if c < 0.9
            else "label"
        )
        for m in members:
            self.body[owner].append(
                f'type {m}{implements} @key(fields: "id") '
                "{ id: ID! label: String @shareable pages: Int }"
            )
            label = " label: String @external" if f"on {m}" in provided or c >= 0.9 else ""
            self.body[provider].append(
                f'type {m}{implements} @key(fields: "id") {{ id: ID!{label} }}'
            )
        kind = self.wrap("Paper")
        self.body[provider].append(
            f'type Query {{ papers_{provider}: {kind} @provides(fields: "{provided}") }}'
        )

    def value_interfaces(self) -> None:
        """Value-type interface shared by several subgraphs, with shared abstract root fields."""
        if self.r.random() >= 0.35:
            return
        for s in self.r.sample(self.subs, self.r.randint(1, len(self.subs))):
            desc = f'"Shape seen from {s}"\n' if self.r.random() < 0.3 else ""
            self.body[s].append(f"{desc}interface Shape {{ area: Float }}")
            for impl in self.r.sample(["Circle", "Square", "Triangle"], self.r.randint(1, 2)):
                doc = f'  "{impl} area"\n' if self.r.random() < 0.3 else ""
                self.body[s].append(
                    f"type {impl} implements Shape @shareable {{\n{doc}  area: Float\n}}"
                )
            if self.r.random() < 0.7:
                self.body[s].append("type Query { shapes: [Shape] @shareable }")
            tagged = ' @tag(name: "e")' if self.r.random() < 0.3 else ""
            self.body[s].append(f"enum Unit {{ CM{tagged} INCH }}")
            self.body[s].append(f"type Query {{ unit_{s}: Unit }}")

    def root_fields(self) -> None:
        for s in self.subs:
            for i in range(self.r.randint(0, 2)):
                t = self.wrap(self.r.choice(self.local_types(s) + SCALARS))
                self.body[s].append(f"type Query {{ q_{s}_{i}: {t} }}")
            if self.r.random() < 0.3:
                options = ["a: Int", 'b: String = "x"', "c: [Int!]", "d: Boolean"]
                args = ", ".join(self.r.sample(options, self.r.randint(0, 3)))
                args = f"({args})" if args else ""
                kind = self.r.choice(["String", "String!"])
                self.body[s].append(f"type Query {{ shared{args}: {kind} @shareable }}")
            if self.r.random() < 0.15:
                self.body[s].append(f"type Mutation {{ m_{s}: Boolean }}")

    def fed1_extension(self, block: str) -> str:
        """A Fed 1 entity as `extend type` or with @extends, its key fields @external."""
        match = _ENTITY_BLOCK.match(block)
        c = self.r.random()
        if match is None or c >= 0.5:
            return block
        if c < 0.3:  # an extension has no description
            block = block[block.index("type ") :]
            block = block.replace(
                f"type {match.group(1)} @key", f"extend type {match.group(1)} @key"
            )
        else:
            block = block.replace(" {\n", " @extends {\n", 1)
        for name in _top_level(self.keys[match.group(1)]):
            block = re.sub(rf"^(  {name}: [^\n@]*)$", r"\1 @external", block, flags=re.M)
        return block

    def render(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for s in self.subs:
            parts: list[str] = []
            seen: set[str] = set()
            for block in self.body[s]:
                prefix = ""
                for root in ("Query", "Mutation"):
                    if block.startswith(f"type {root} "):
                        prefix = "extend " if root in seen else ""
                        seen.add(root)
                parts.append(prefix + block)
            text = "\n\n".join(parts)
            fed2_only = ("@override", "@inaccessible", "@interfaceObject", *SECURITY_IMPORTS)
            if self.r.random() < self.fed1_share and not any(d in text for d in fed2_only):
                text = "\n\n".join(self.fed1_extension(block) for block in text.split("\n\n"))
                out[s] = text.replace(" @shareable", "").replace(", resolvable: false", "") + "\n"
                continue
            extra = SECURITY_IMPORTS if self.version == "2.9" else []
            imports = ", ".join(f'"{i}"' for i in IMPORTS + extra)
            head = (
                f'extend schema @link(url: "https://specs.apollo.dev/federation/'
                f'v{self.version}", import: [{imports}])\n\n'
            )
            out[s] = head + text + "\n"
        return out


def generate(seed: int, fed1_share: float = 0.15) -> dict[str, str]:
    g = _Generator(seed, fed1_share)
    g.entities()
    g.requires_and_overrides()
    g.place_entities()
    g.value_types_enums_inputs()
    g.abstract_types()
    g.spread_interfaces()
    g.provides_on_abstract()
    g.value_interfaces()
    g.root_fields()
    return g.render()
