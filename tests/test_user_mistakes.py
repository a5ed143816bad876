"""A user's mistake gets one clear line and exit status 2, never a traceback.

Each case runs the real command line in a subprocess, as a user would.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import aiohttp
import pytest

from aggregator.demo.auth import dev_auth_yaml
from tests.support.gateway_process import gateway, run_command

ROOT = Path(__file__).resolve().parents[1]
CONNECTOR = ROOT / "schemas" / "dmv" / "connector.graphql"
BROKEN_LINE = 12  # the line the test breaks in its copy of the connector


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def break_connector(file: Path) -> None:
    lines = file.read_text(encoding="utf-8").splitlines()
    lines[BROKEN_LINE - 1] = '  vehicle(plate: ID!): Vehicle @rest(source: "dmv", path: '
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def connector_config(folder: Path) -> Path:
    shutil.copy(CONNECTOR, folder / "dmv.graphql")
    config = folder / "aggregator.yaml"
    config.write_text(
        "subgraphs:\n  - name: dmv\n    connector: dmv.graphql\n" + dev_auth_yaml(),
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("command", ["compose", "serve"])
def test_a_syntax_error_in_a_connector_names_file_line_and_column(
    tmp_path: Path, command: str
) -> None:
    config = connector_config(tmp_path)
    break_connector(tmp_path / "dmv.graphql")
    done = run_command(
        command, "--config", str(config), *(["--port", "0"] if command == "serve" else [])
    )
    assert done.code == 2
    assert "Traceback" not in done.stderr
    assert f"{tmp_path / 'dmv.graphql'}:{BROKEN_LINE + 1}:1: Syntax Error: " in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # the summary and the one problem


async def test_hot_reload_of_a_broken_connector_logs_one_line_and_keeps_serving(
    tmp_path: Path,
) -> None:
    config = connector_config(tmp_path)
    # development mode: introspection answers, so the schema still served can be asked
    config.write_text("mode: development\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    query = {"query": '{ __type(name: "Vehicle") { name } }'}
    async with gateway("--config", str(config), "--port", "0") as running:
        break_connector(tmp_path / "dmv.graphql")
        line = await running.wait_for_log("supergraph not reloaded")
        async with (
            aiohttp.ClientSession() as session,
            session.post(running.graphql_url, json=query) as response,
        ):
            assert await response.json() == {"data": {"__type": {"name": "Vehicle"}}}
    assert f"dmv.graphql:{BROKEN_LINE + 1}:1: Syntax Error" in line
    assert "Traceback" not in running.logs()
    assert sum("not reloaded" in x for x in running.stderr) == 1  # reported once, not per tick


def test_a_python_module_next_to_the_config_is_found(tmp_path: Path) -> None:
    (tmp_path / "local_agency.py").write_text(
        "import strawberry\nimport strawberry.federation as fed\n\n"
        "@strawberry.type\nclass Query:\n    hello: str = 'from the folder of the config'\n\n"
        "schema = fed.Schema(query=Query)\n",
        encoding="utf-8",
    )
    (tmp_path / "aggregator.yaml").write_text(
        "subgraphs:\n  - name: local\n    python: local_agency:schema\n", encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_command("compose", "--config", str(tmp_path / "aggregator.yaml"), cwd=elsewhere)
    assert done.code == 0, done.stderr
    assert "hello: String!" in done.stdout


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("raise RuntimeError('agency database unreachable')\n",
         "importing the module raised RuntimeError: agency database unreachable at {file}:1"),
        ("x = 1 / 0\n",
         "importing the module raised ZeroDivisionError: division by zero at {file}:1"),
        ("def broken(:\n", "{file}:1: invalid syntax"),
        ("import no_such_dependency_here\n",
         "cannot import: No module named 'no_such_dependency_here'"),
    ],
)  # fmt: skip
def test_a_python_module_that_fails_to_import_is_one_line(
    tmp_path: Path, source: str, expected: str
) -> None:
    module = tmp_path / "failing_agency.py"
    module.write_text(source, encoding="utf-8")
    (tmp_path / "aggregator.yaml").write_text(
        "subgraphs:\n  - name: failing\n    python: failing_agency:schema\n", encoding="utf-8"
    )
    done = run_command("compose", "--config", str(tmp_path / "aggregator.yaml"))
    assert done.code == 2
    assert "Traceback" not in done.stderr
    assert expected.format(file=module) in done.stderr


def test_serve_on_a_port_in_use_says_so_before_serving(tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    compose = run_command(
        "compose", "--config", str(connector_config(tmp_path)), "-o", str(supergraph)
    )
    assert compose.code == 0, compose.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_command(
            "serve", "--config", str(tmp_path / "aggregator.yaml"), "--port", str(port)
        )
        demo = run_command("demo", "--port", str(port))
    assert done.code == 2
    assert done.stdout == ""  # no "serving on ..." first
    assert one_line(done.stderr) == (
        f"aggregator: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert demo.code == 2
    assert one_line(demo.stderr) == (
        f"aggregator: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_plan_with_a_missing_file_or_bad_variables(tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    assert run_command("compose", "--config", str(connector_config(tmp_path)),
                       "-o", str(supergraph)).code == 0  # fmt: skip
    operation = tmp_path / "op.graphql"
    operation.write_text('{ vehicle(plate: "X") { make } }', encoding="utf-8")

    missing = run_command("plan", "--supergraph", str(supergraph), str(tmp_path / "nope.graphql"))
    assert missing.code == 2
    assert one_line(missing.stderr) == (
        f"aggregator: error: cannot read {tmp_path / 'nope.graphql'}: No such file or directory"
    )
    bad = run_command(
        "plan", "--supergraph", str(supergraph), str(operation), "--variables", "{id:"
    )
    assert bad.code == 2
    assert one_line(bad.stderr).startswith("aggregator: error: --variables is not JSON: ")
    not_object = run_command("plan", "--supergraph", str(supergraph), str(operation),
                             "--variables", "[1]")  # fmt: skip
    assert not_object.code == 2
    assert one_line(not_object.stderr) == (
        "aggregator: error: --variables must be a JSON object, like '{\"id\": 1}'"
    )
    no_supergraph = run_command("plan", "--supergraph", str(tmp_path / "x.graphql"), str(operation))
    assert no_supergraph.code == 2
    assert one_line(no_supergraph.stderr).startswith("aggregator: error: cannot read ")
    fine = run_command("plan", "--supergraph", str(supergraph), str(operation))
    assert fine.code == 0
    assert 'Fetch(service: "dmv")' in fine.stdout


@pytest.mark.parametrize("command", ["serve", "demo", "demo-agency"])
def test_a_port_out_of_range_is_refused_before_anything_starts(command: str) -> None:
    args = ["--supergraph", "x.graphql"] if command == "serve" else []
    if command == "demo-agency":
        args = ["dmv"]
    done = run_command(command, *args, "--port", "99999")
    assert done.code == 2
    assert "Traceback" not in done.stderr
    # argparse's usage line, then the one that says what is wrong
    assert done.stderr.strip().splitlines()[-1] == (
        f"aggregator {command}: error: argument --port: must be 0..65535, got 99999"
    )
