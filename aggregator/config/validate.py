"""``aggregator config validate FILE...``: every problem of a config file, one line each.

The loader stops at the first problem (a gateway must not start on a broken
file); in CI or an editor it is better to see them all at once. So the file
is checked against the JSON Schema (``aggregator.schema.json``, every
structural problem with its line), every unset ``${VAR}`` is listed, and
when the structure is sound the loader itself runs (files exist, values
that depend on each other agree). Exit status 0 when every file is valid,
2 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from aggregator.config.env import expand_env
from aggregator.config.errors import ConfigError
from aggregator.config.loader import parse_config
from aggregator.config.nodes import NodeReader

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = ["config_schema", "register_validate_command", "validate_file", "validate_text"]

Location = tuple[str | int, ...]


@cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema of ``aggregator.yaml`` shipped with the package."""
    text = resources.files("aggregator.config").joinpath("aggregator.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def register_validate_command(subparsers: Any) -> None:
    config = subparsers.add_parser("config", help="work with aggregator.yaml files")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate", help="check config files: one line per problem, exit 2 if any"
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(func=validate_command)


def validate_command(args: argparse.Namespace) -> int:
    failed = False
    for path in args.files:
        problems = validate_file(path)
        for problem in problems:
            print(problem)
        if problems:
            failed = True
        else:
            print(f"{path}: ok")
    return 2 if failed else 0


def validate_file(path: Path, env: Mapping[str, str] | None = None) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [f"{path}: cannot read config file: {exc.strerror or exc}"]
    return validate_text(text, file=path.resolve(), env=env)


def validate_text(
    text: str, *, file: Path | None = None, env: Mapping[str, str] | None = None
) -> list[str]:
    env = os.environ if env is None else env
    label = file.name if file is not None else "<config>"
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:  # the loader words it with the line
        return [str(_loader_error(text, file, env))]
    if root is None:
        return [str(_loader_error(text, file, env))]
    unset: list[ConfigError] = []
    expand_env(root, env, label, unset)
    data, lines = _to_data(root)
    problems = [str(e) for e in unset]
    # imported here: every command line registers this command, only it needs jsonschema
    # (about 8 MB of a serving process's memory)
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(config_schema())
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        problems.extend(_describe(error, lines, label))
    if not problems:
        loader_error = _loader_error(text, file, env)
        if loader_error is not None:
            problems.append(str(loader_error))
    return sorted(dict.fromkeys(problems), key=_line_number)


def _line_number(problem: str) -> int:
    parts = problem.split(":", 2)
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def _loader_error(text: str, file: Path | None, env: Mapping[str, str]) -> ConfigError | None:
    try:
        parse_config(text, file=file, env=env)
    except ConfigError as exc:
        return exc
    return None


def _to_data(root: yaml.Node) -> tuple[Any, dict[Location, int]]:
    """Plain data for the schema, and the line of every key and value by location."""
    lines: dict[Location, int] = {}
    reader = NodeReader(None)

    def walk(node: yaml.Node, where: Location) -> Any:
        lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                lines[(*where, key)] = key_node.start_mark.line + 1
                out[key] = walk(value_node, (*where, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, (*where, i)) for i, item in enumerate(node.value)]
        return reader.constructor.construct_object(node, deep=True)

    return walk(root, ()), lines


def _dotted(where: Location) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: ValidationError, lines: dict[Location, int], label: str) -> Iterator[str]:
    where: Location = tuple(error.absolute_path)
    message = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None

    def line_of(location: Location) -> int:
        while location not in lines and location:
            location = location[:-1]
        return lines.get(location, 1)

    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        for key in error.instance:
            if key not in known:
                at = (*where, key)
                hint = difflib.get_close_matches(str(key), list(known), n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                yield f"{label}:{line_of(at)}: {_dotted(at)}: unknown key{suggestion}"
        return
    if error.validator in ("oneOf", "anyOf") and isinstance(error.validator_value, list):
        choices = [
            name
            for option in error.validator_value
            if isinstance(option, dict)
            for name in option.get("required", ())
        ]
        if choices and len(choices) == len(error.validator_value):
            yield f"{label}:{line_of(where)}: {_dotted(where)}: give exactly one of " + ", ".join(
                choices
            )
            return
    yield f"{label}:{line_of(where)}: {_dotted(where)}: {message or error.message}"
