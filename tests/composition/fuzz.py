"""Random differential testing of composition against @apollo/composition.

Generates random subgraph sets (entities with simple and compound keys spread
over 2-4 subgraphs, shareable value types, @requires/@external, @provides,
@override, resolvable:false keys, unions, interfaces, @interfaceObject,
enums used as input/output/both, input objects, shared root fields with
differing arguments, @tag/@inaccessible/@deprecated, descriptions, and
Federation 1 subgraphs), composes each with Apollo (through record.mjs) and
with ``aggregator.composition``, and prints every disagreement: a semantic
supergraph difference (see semantic.py) or a different set of error codes.

    (cd tests/oracle && npm ci)
    /work/venv/bin/python tests/composition/fuzz.py --start 0 --count 100 [--keep DIR]

A seed that disagrees is a bug to fix or a rule to learn; a seed worth
keeping can be copied into cases/ as ``gen_<seed>`` (its recorded Apollo
output comes along).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aggregator.composition import CompositionSuccess, SubgraphSource, compose
from tests.composition.semantic import differences

HERE = Path(__file__).resolve().parent
SECURITY_IMPORTS = ["@authenticated", "@requiresScopes", "@policy", "@cost"]
SCALARS = ["Int", "String", "Boolean", "Float", "ID"]
IMPORTS = ["@key", "@shareable", "@external", "@requires", "@provides", "@override",
           "@inaccessible", "@tag", "@interfaceObject"]


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
        self.keys = {e: self.r.choice(["id", "id", "sku", "id sku", "id org { code }"])
                     for e in self.ents}
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
                key_fields = [k for k in self.keys[e].split() if k in ("id", "sku")]
                lines = [f"  {k}: {'ID!' if k == 'id' else 'String!'}" for k in key_fields]
                if "org" in self.keys[e]:
                    lines.append("  org: Org!")
                    if "type Org @shareable { code: String! }" not in self.body[s]:
                        self.body[s].append("type Org @shareable { code: String! }")
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
            elif c < 0.35 and t.strip("[]!") in SCALARS:
                self.fields[(e, target)].append(f"  {name}: {t} @external")
                self.fields[(e, target)].append(
                    f'  needs_{name}: Int @requires(fields: "{name}")'
                )
            elif c < 0.55:
                self.fields[(e, owner)] = [
                    line for line in self.fields[(e, owner)] if not line.startswith(f"  {name}:")
                ] + [f"  {name}: {t}"]
                self.fields[(e, target)].append(f'  {name}: {t} @override(from: "{owner}")')

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
                + "\n".join(lines) + "\n}"
            )

    def value_types_enums_inputs(self) -> None:
        for v in self.vals:
            for s in self.val_subs[v]:
                amount = [f"  amount: {self.r.choice(['Int', 'Int!'])}"] if (
                    self.r.random() < 0.7) else []
                self.body[s].append(f"type {v} @shareable {{\n" + "\n".join(
                    ["  code: String", *amount]) + "\n}")
        if self.r.random() < 0.7:
            usage = self.r.choice(["in", "out", "both"])
            for s in self.r.sample(self.subs, self.r.randint(1, len(self.subs))):
                values = ["A", "B"] if usage == "both" else sorted(
                    self.r.sample(["A", "B", "C", "D"], self.r.randint(1, 4)))
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
                self.body[s].append(f"type Query {{ search_{s}(f: Filter, first: Int = 10): "
                                    "[String] }")

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
            self.body[io].append(
                'type Account @key(fields: "id") @interfaceObject { id: ID! lastSeen: String }'
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

    def value_interfaces(self) -> None:
        """Value-type interface shared by several subgraphs, with shared abstract root fields."""
        if self.r.random() >= 0.35:
            return
        for s in self.r.sample(self.subs, self.r.randint(1, len(self.subs))):
            desc = f'"Shape seen from {s}"\n' if self.r.random() < 0.3 else ""
            self.body[s].append(f"{desc}interface Shape {{ area: Float }}")
            for impl in self.r.sample(["Circle", "Square", "Triangle"], self.r.randint(1, 2)):
                doc = f'  "{impl} area"\n' if self.r.random() < 0.3 else ""
                self.body[s].append(f"type {impl} implements Shape @shareable {{\n{doc}"
                                    "  area: Float\n}")
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
            fed2_only = ("@override", "@inaccessible", "@interfaceObject")
            if self.r.random() < self.fed1_share and not any(d in text for d in fed2_only):
                out[s] = text.replace(" @shareable", "").replace(", resolvable: false", "") + "\n"
                continue
            extra = SECURITY_IMPORTS if self.version == "2.9" else []
            imports = ", ".join(f'"{i}"' for i in IMPORTS + extra)
            head = (f'extend schema @link(url: "https://specs.apollo.dev/federation/'
                    f'v{self.version}", import: [{imports}])\n\n')
            out[s] = head + text + "\n"
        return out


def generate(seed: int, fed1_share: float = 0.15) -> dict[str, str]:
    g = _Generator(seed, fed1_share)
    g.entities()
    g.requires_and_overrides()
    g.place_entities()
    g.value_types_enums_inputs()
    g.abstract_types()
    g.value_interfaces()
    g.root_fields()
    return g.render()


def check(seed: int, folder: Path, fed1_share: float = 0.15) -> str | None:
    """Compose one seed both ways; a description of the disagreement, or None."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sources = []
    for name, sdl in generate(seed, fed1_share).items():
        (folder / f"{name}.graphql").write_text(sdl)
        sources.append(SubgraphSource(name, f"http://{name}.local/graphql", sdl))
    subprocess.run(["node", str(HERE / "record.mjs"), str(folder)], check=True)
    ours = compose(sources)
    expected = folder / "expected.graphql"
    if expected.exists():
        if not isinstance(ours, CompositionSuccess):
            return f"Apollo composes, we reject: {[e.message for e in ours.errors]}"
        found = differences(ours.supergraph_sdl, expected.read_text())
        return "\n".join(found) if found else None
    apollo = {e["code"] for e in json.loads((folder / "expected-errors.json").read_text())}
    codes = set() if isinstance(ours, CompositionSuccess) else {str(e.code) for e in ours.errors}
    return None if codes == apollo else f"Apollo codes {sorted(apollo)}, ours {sorted(codes)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="folder to keep each seed's files in")
    parser.add_argument("--fed1-share", type=float, default=0.15,
                        help="chance that a subgraph is written as a Federation 1 subgraph")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="composition-fuzz-"))
    disagreements = 0
    for seed in range(args.start, args.start + args.count):
        problem = check(seed, root / f"seed_{seed}", args.fed1_share)
        if problem:
            disagreements += 1
            print(f"seed {seed}: {problem}")
    print(f"{disagreements} disagreements in {args.count} seeds ({root})")
    if not args.keep:
        shutil.rmtree(root)
    return 1 if disagreements else 0


if __name__ == "__main__":
    raise SystemExit(main())
