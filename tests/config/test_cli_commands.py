"""``aggregator compose`` and ``aggregator check`` as a user runs them: a real subprocess."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from tests.config.subgraphs import products_app
from tests.schema_check.supergraphs import supergraph
from tests.support.servers import free_port, serve_asgi

FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


async def run_cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aggregator",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_compose_writes_the_supergraph(tmp_path: Path) -> None:
    (tmp_path / "inventory.graphql").write_text(
        FED + 'type Product @key(fields: "upc") { upc: ID! inStock: Boolean }\n'
        "type Query { stock: Int }\n",
        encoding="utf-8",
    )
    async with serve_asgi(products_app()) as base:
        (tmp_path / "aggregator.yaml").write_text(
            "subgraphs:\n"
            f"  - name: products\n    url: {base}/graphql\n"
            "  - name: inventory\n    url: http://inventory.internal/graphql\n"
            "    sdl_source: file\n    sdl_file: inventory.graphql\n",
            encoding="utf-8",
        )
        out_file = tmp_path / "supergraph.graphql"
        code, _, err = await run_cli(
            "compose", "--config", str(tmp_path / "aggregator.yaml"), "-o", str(out_file)
        )
    assert (code, err) == (0, f"wrote {out_file}\n")
    sdl = out_file.read_text(encoding="utf-8")
    assert (
        'INVENTORY @join__graph(name: "inventory", url: "http://inventory.internal/graphql")' in sdl
    )
    assert "inStock: Boolean @join__field(graph: INVENTORY)" in sdl


async def test_compose_with_an_unreachable_subgraph_names_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/graphql"
    config = tmp_path / "aggregator.yaml"
    config.write_text(f"subgraphs:\n  - name: tax\n    url: {url}\n", encoding="utf-8")
    code, out, err = await run_cli("compose", "--config", str(config))
    assert code == 2
    assert out == ""
    assert err.startswith(
        "aggregator: error: cannot fetch the SDL of required subgraphs\n"
        f"  - subgraph 'tax' ({url}): unreachable: "
    )
    assert "Traceback" not in err


async def test_compose_with_a_bad_config_points_at_the_line(tmp_path: Path) -> None:
    config = tmp_path / "aggregator.yaml"
    config.write_text("subgraphs:\n  - name: tax\n    url: ws://tax/graphql\n", encoding="utf-8")
    code, _, err = await run_cli("compose", "--config", str(config))
    assert (code, err) == (
        2,
        "aggregator: error: aggregator.yaml:3: subgraphs[0].url: "
        "URL scheme must be http or https, got 'ws://tax/graphql'\n",
    )


BODY = """
type Query @join__type(graph: A) { licence(id: ID!): Licence @join__field(graph: A) }
type Licence @join__type(graph: A) { id: ID! holder: String expires: String }
"""


async def test_check_exits_1_and_prints_a_table_on_breaking_changes(tmp_path: Path) -> None:
    old = tmp_path / "old.graphql"
    old.write_text(supergraph(BODY), encoding="utf-8")
    new = tmp_path / "new.graphql"
    new.write_text(supergraph(BODY.replace(" expires: String", "")), encoding="utf-8")
    code, out, _ = await run_cli("check", "--supergraph", str(new), "--against", str(old))
    assert code == 1
    assert out.splitlines()[2].split() == [
        "breaking",
        "FIELD_REMOVED",
        "Licence.expires",
        "Field",
        "Licence.expires",
        "was",
        "removed.",
    ]


async def test_check_exits_0_for_additions_and_reports_json(tmp_path: Path) -> None:
    old = tmp_path / "old.graphql"
    old.write_text(supergraph(BODY), encoding="utf-8")
    new = tmp_path / "new.graphql"
    new.write_text(
        supergraph(
            BODY.replace(
                "expires: String",
                'expires: String @deprecated(reason: "use validTo") validTo: String',
            )
        ),
        encoding="utf-8",
    )
    code, out, _ = await run_cli(
        "check", "--supergraph", str(new), "--against", str(old), "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True
    assert report["deprecations"] == [
        {"coordinate": "Licence.expires", "reason": "use validTo", "new": True}
    ]
    assert [c["kind"] for c in report["changes"]] == ["FIELD_ADDED"]


async def test_check_with_a_supergraph_that_does_not_parse(tmp_path: Path) -> None:
    old = tmp_path / "old.graphql"
    old.write_text("type Query {", encoding="utf-8")
    code, _, err = await run_cli("check", "--supergraph", str(old), "--against", str(old))
    assert code == 2
    assert err.startswith("aggregator: error: a supergraph does not parse: Syntax Error")


async def test_check_composes_the_new_supergraph_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text(FED + "type Query { a: Int b: Int }\n", encoding="utf-8")
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        "subgraphs:\n  - name: a\n    url: http://a.internal/graphql\n"
        "    sdl_source: file\n    sdl_file: a.graphql\n",
        encoding="utf-8",
    )
    previous = tmp_path / "supergraph.graphql"
    code, _, _ = await run_cli("compose", "--config", str(config), "-o", str(previous))
    assert code == 0
    (tmp_path / "a.graphql").write_text(FED + "type Query { a: Int! }\n", encoding="utf-8")
    code, out, _ = await run_cli(
        "check", "--config", str(config), "--against", str(previous), "--format", "json"
    )
    assert code == 1
    assert [(c["severity"], c["kind"], c["coordinate"]) for c in json.loads(out)["changes"]] == [
        ("breaking", "FIELD_REMOVED", "Query.b"),
        ("safe", "FIELD_CHANGED_KIND_SAFE", "Query.a"),
    ]


ROOT = Path(__file__).resolve().parents[2]


async def test_demo_agencies_config_composes_to_the_committed_demo_supergraph() -> None:
    root = ROOT
    code, out, err = await run_cli(
        "check",
        "--config",
        str(root / "tests/config/fixtures/demo-agencies.yaml"),
        "--against",
        str(root / "schemas/demo/supergraph.graphql"),
        "--show-safe",
    )
    assert (code, err) == (0, "")
    assert out.endswith("0 breaking, 0 dangerous, 0 safe changes; 0 deprecated elements.\n")


async def test_check_runs_example_and_given_operations(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text(FED + "type Query { a: Int b: Int }\n", encoding="utf-8")
    (tmp_path / "uses-a.graphql").write_text("query UsesA { a }", encoding="utf-8")
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        "subgraphs:\n  - name: a\n    url: http://a.internal/graphql\n"
        "    sdl_source: file\n    sdl_file: a.graphql\n"
        "example_operations:\n  - {title: Uses b, query: '{ b }'}\n",
        encoding="utf-8",
    )
    previous = tmp_path / "supergraph.graphql"
    assert (await run_cli("compose", "--config", str(config), "-o", str(previous)))[0] == 0
    (tmp_path / "a.graphql").write_text(FED + "type Query { c: Int }\n", encoding="utf-8")
    code, out, _ = await run_cli(
        "check",
        "--config",
        str(config),
        "--against",
        str(previous),
        "--operations",
        str(tmp_path / "uses-a.graphql"),
        "--format",
        "json",
    )
    assert code == 1
    broken = [
        c["coordinate"] for c in json.loads(out)["changes"] if c["kind"] == "OPERATION_BROKEN"
    ]
    assert broken == [str(tmp_path / "uses-a.graphql"), "Uses b"]
