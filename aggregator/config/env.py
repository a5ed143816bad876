"""``${VAR}`` and ``${VAR:-default}`` in any value of ``aggregator.yaml``.

Expansion happens on the YAML node tree, before any section is read, so
every section (including ones added later) gets it for free and an unset
variable is reported at the line and key where it is used. A plain
(unquoted) scalar is re-typed after expansion, so ``port: ${PORT:-4000}``
is an integer and ``graphiql: ${GRAPHIQL:-false}`` a boolean, exactly as if
the value had been written in the file; a quoted one stays a string.
``$${`` writes a literal ``${``. Keys are never expanded: a variable decides
a value, never which setting it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import yaml
from yaml.resolver import Resolver

from aggregator.config.errors import ConfigError
from aggregator.config.nodes import join_key

__all__ = ["expand_env", "expand_text"]

# $${ escapes; ${NAME} and ${NAME:-default} expand; anything else after ${ is an error
_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.S)
_STR_TAG = "tag:yaml.org,2002:str"
_resolver = Resolver()


class _Unset(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def expand_text(value: str, env: Mapping[str, str]) -> str:
    """``value`` with every reference replaced; raises ValueError naming the problem."""
    if "$" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "$${":
            return "${"
        inner = match.group(1)
        parsed = _NAME.match(inner) if inner is not None else None
        if parsed is None:
            raise _Unset(
                f"'{text}' is not a variable reference: write ${{NAME}} or "
                "${NAME:-default} (and $${ for a literal ${)"
            )
        name, default = parsed.group(1), parsed.group(2)
        found = env.get(name)
        if found is not None and (found or default is None):
            return found
        if default is not None:
            return default
        raise _Unset(f"environment variable {name} is not set")

    try:
        return _REFERENCE.sub(replace, value)
    except _Unset as exc:
        raise ValueError(exc.message) from None


def expand_env(
    root: yaml.Node,
    env: Mapping[str, str],
    label: str,
    problems: list[ConfigError] | None = None,
) -> yaml.Node:
    """Expand references in every scalar value of ``root`` (in place); returns ``root``.

    Raises the first problem, or, given a ``problems`` list, appends every one to it.
    """
    _walk(root, "", env, label, problems)
    return root


def _walk(
    node: yaml.Node,
    key: str,
    env: Mapping[str, str],
    label: str,
    problems: list[ConfigError] | None,
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            _walk(value_node, join_key(key, str(name)), env, label, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{key}[{index}]", env, label, problems)
    elif isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG and "$" in node.value:
        try:
            expanded = expand_text(node.value, env)
        except ValueError as exc:
            error = ConfigError(
                str(exc), file=label, line=node.start_mark.line + 1, key=key or None
            )
            if problems is None:
                raise error from None
            problems.append(error)
            return
        if expanded != node.value:
            node.value = expanded
            if node.style is None:  # plain scalar: type it as YAML would have
                node.tag = _resolver.resolve(  # type: ignore[no-untyped-call]
                    yaml.ScalarNode, expanded, (True, False)
                )
