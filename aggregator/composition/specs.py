# ruff: noqa: E501  (spec SDL is kept exactly as Apollo prints it)
"""The core-schema specs a supergraph links, as the SDL Apollo emits for them.

Which join version is linked follows the newest federation version among the
subgraphs (as @apollo/composition 2.14 does): up to v2.6 join v0.3, v2.7
join v0.4 (progressive override labels, @join__directive), v2.8 and later
join v0.5 (context arguments).
"""

from __future__ import annotations

LINK_DEFINITIONS = '''directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}
'''

_JOIN_FIELD_ARGS = {
    3: "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, "
    "external: Boolean, override: String, usedOverridden: Boolean",
}
_JOIN_FIELD_ARGS[4] = _JOIN_FIELD_ARGS[3] + ", overrideLabel: String"
_JOIN_FIELD_ARGS[5] = _JOIN_FIELD_ARGS[4] + ", contextArguments: [join__ContextArgument!]"

_JOIN_COMMON = """directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field({field_args}) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

scalar join__FieldSet
"""

_JOIN_DIRECTIVE = """directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

scalar join__DirectiveArguments
"""

_JOIN_CONTEXT = """input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__FieldValue
"""

INACCESSIBLE = (
    '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
    "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
    "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | "
    "INPUT_FIELD_DEFINITION\n",
)
TAG = (
    '@link(url: "https://specs.apollo.dev/tag/v0.3")',
    "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | "
    "UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | "
    "INPUT_FIELD_DEFINITION | SCHEMA\n",
)
_AUTH_ON = "on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
AUTHENTICATED = (
    '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
    f"directive @authenticated {_AUTH_ON}\n",
)
REQUIRES_SCOPES = (
    '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
    "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) "
    f"{_AUTH_ON}\n\nscalar requiresScopes__Scope\n",
)
POLICY = (
    '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    f"directive @policy(policies: [[policy__Policy!]!]!) {_AUTH_ON}\n\nscalar policy__Policy\n",
)
COST = (
    '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])',
    "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
    "INPUT_FIELD_DEFINITION | OBJECT | SCALAR\n\n"
    "directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: "
    "[String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION\n",
)

CONTEXT = (
    '@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)',
    "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION\n\n"
    "directive @context__fromContext(field: context__ContextFieldValue) on "
    "ARGUMENT_DEFINITION\n\nscalar context__ContextFieldValue\n",
)

#: spec -> the directive names whose use in the supergraph pulls it in.
OPTIONAL_SPECS: tuple[tuple[tuple[str, str], frozenset[str]], ...] = (
    (INACCESSIBLE, frozenset({"inaccessible"})),
    (TAG, frozenset({"tag"})),
    (AUTHENTICATED, frozenset({"authenticated"})),
    (REQUIRES_SCOPES, frozenset({"requiresScopes"})),
    (POLICY, frozenset({"policy"})),
    (COST, frozenset({"cost", "listSize"})),
    (CONTEXT, frozenset({"context"})),
)


def join_version(max_federation_minor: int) -> int:
    """The join spec minor version Apollo links for the newest federation v2.N used."""
    if max_federation_minor >= 8:
        return 5
    if max_federation_minor == 7:
        return 4
    return 3


def join_link(version: int) -> str:
    return f'@link(url: "https://specs.apollo.dev/join/v0.{version}", for: EXECUTION)'


def join_definitions(version: int) -> str:
    text = _JOIN_COMMON.replace("{field_args}", _JOIN_FIELD_ARGS[version])
    if version >= 4:
        text = _JOIN_DIRECTIVE + "\n" + text
    if version >= 5:
        text += "\n" + _JOIN_CONTEXT
    return text
