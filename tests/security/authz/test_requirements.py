"""The requirements model: boolean semantics, @link renames, abstract types and implementations."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from aggregator.gateway import Gateway
from aggregator.security.requirements import AUTHENTICATED, AuthorizationModel, Requirement
from aggregator.supergraph import load
from tests.security.authz.conftest import SUPERGRAPH, Agency, caller
from tests.security.authz.test_enforcement import unauthorized


def scopes(*groups: tuple[str, ...]) -> Requirement:
    return Requirement(scopes=frozenset({frozenset(frozenset(g) for g in groups)}))


def granted(*names: str, authenticated: bool = True) -> frozenset[tuple[str, str]]:
    atoms = {("scope", n) for n in names}
    if authenticated:
        atoms.add(AUTHENTICATED)
    return frozenset(atoms)


@pytest.mark.parametrize(
    ("requirement", "held", "allowed"),
    [
        (scopes(("a", "b"), ("c",)), granted("a", "b"), True),
        (scopes(("a", "b"), ("c",)), granted("a"), False),
        (scopes(("a", "b"), ("c",)), granted("c"), True),
        (scopes(("a", "b"), ("c",)), granted("a", "c"), True),
        (scopes(("a",)), granted("a", authenticated=False), False),  # scopes imply a token
        (scopes(()), granted(), True),  # [[]]: any authenticated caller
        (scopes(()), frozenset(), False),
        (scopes(), granted("a", "b", "c"), False),  # []: nobody
        (scopes(("a",)) & scopes(("b",)), granted("a"), False),  # two directives: AND
        (scopes(("a",)) & scopes(("b",)), granted("a", "b"), True),
        (Requirement(authenticated=True), granted(), True),
        (Requirement(authenticated=True), frozenset(), False),
        (Requirement(), frozenset(), True),
        (
            Requirement(purposes=frozenset({frozenset({"x", "y"})})),
            frozenset({("purpose", "y")}),
            True,
        ),
        (Requirement(purposes=frozenset({frozenset({"x"})})), frozenset({("purpose", "y")}), False),
        (Requirement(purposes=frozenset({frozenset()})), frozenset({("purpose", "y")}), False),
    ],
)
def test_requirement_truth_table(
    requirement: Requirement, held: frozenset[tuple[str, str]], allowed: bool
) -> None:
    assert requirement.satisfied(held) is allowed


def test_policies_are_or_of_ands() -> None:
    requirement = Requirement(
        policies=frozenset({frozenset({frozenset({"p1", "p2"}), frozenset({"p3"})})})
    )
    assert requirement.satisfied(frozenset({("policy", "p1"), ("policy", "p2")}))
    assert requirement.satisfied(frozenset({("policy", "p3")}))
    assert not requirement.satisfied(frozenset({("policy", "p1")}))
    assert requirement.atoms() == {("policy", "p1"), ("policy", "p2"), ("policy", "p3")}


def test_field_rules_combine_field_and_returned_type() -> None:
    model = AuthorizationModel(load(SUPERGRAPH))
    assert model.field_rule("User", "role").requirement == scopes(("roles:read",))
    assert model.field_rule("Query", "stats").requirement == scopes(("stats:read",))
    assert model.field_rule("User", "salary").requirement == Requirement(authenticated=True)
    assert model.field_rule("User", "username").requirement.empty
    assert model.policy_names() == {"read_credit_card", "member", "staff", "loyalty_desk"}
    assert "User.creditCard" in model.uses_identity()


def _renamed(sdl: str) -> str:
    """The fixture supergraph with the specs linked under other names."""
    sdl = sdl.replace(
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", as: "needs", for: SECURITY)',
    )
    sdl = re.sub(r"@requiresScopes\b", "@needs", sdl)
    sdl = re.sub(r"@sensitive\b", "@pii", sdl)
    return sdl.replace(
        '@link(url: "https://specs.aggregator.dev/sensitive/v0.1", import: ["@pii"])',
        '@link(url: "https://specs.aggregator.dev/sensitive/v0.1", '
        'import: [{name: "@sensitive", as: "@pii"}])',
    )


def test_link_renames_are_honoured() -> None:
    model = AuthorizationModel(load(_renamed(SUPERGRAPH)))
    assert model.field_rule("User", "email").requirement == scopes(("read:email",))
    sensitivity = model.field_rule("User", "taxFileNumber").sensitivity
    assert sensitivity is not None
    assert sensitivity.mask_style == "last4"


def test_a_name_that_is_not_the_linked_one_is_not_a_requirement() -> None:
    sdl = _renamed(SUPERGRAPH).replace(
        "email: String @join__field(graph: ACCOUNTS)",
        'email: String @requiresScopes(scopes: [["x"]]) @join__field(graph: ACCOUNTS)',
    )
    # @requiresScopes is not what this supergraph calls the spec's directive
    model = AuthorizationModel(load(sdl))
    assert model.field_rule("User", "email").requirement == scopes(("read:email",))


def test_directives_applied_without_link_are_still_enforced() -> None:
    sdl = SUPERGRAPH.replace(
        '  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)\n', ""
    )
    model = AuthorizationModel(load(sdl))
    assert model.field_rule("Query", "me").requirement == Requirement(authenticated=True)


def _interface_without_its_propagated_requirement(sdl: str) -> str:
    """Older composition (federation < 2.9) did not copy an implementation's requirement onto
    the interface; the gateway must still protect the implementation's data."""
    sdl = re.sub(
        r"(interface Post\n  @join__type\(graph: ACCOUNTS\)\n)  @authenticated\n", r"\1", sdl
    )
    assert "interface Post\n  @join__type(graph: ACCOUNTS)\n{" in sdl
    return sdl.replace(
        "type PrivatePost implements Post\n"
        '  @join__implements(graph: ACCOUNTS, interface: "Post")\n'
        '  @join__type(graph: ACCOUNTS, key: "id")\n'
        "  @authenticated\n{\n  id: ID!\n  title: String!",
        "type PrivatePost implements Post\n"
        '  @join__implements(graph: ACCOUNTS, interface: "Post")\n'
        '  @join__type(graph: ACCOUNTS, key: "id")\n'
        "  @authenticated\n{\n  id: ID!\n"
        '  title: String! @requiresScopes(scopes: [["drafts:read"]])',
    )


async def test_interfaces_need_what_every_implementation_needs(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """Apollo composition (federation 2.9+) copies implementations' requirements onto the
    interface: "interface access requires satisfying ALL implementing types' requirements"
    (apollographql/federation changeset). The gateway applies the same rule to supergraphs
    that lack the copy (older composition, or ours), and ANDs implementation fields'
    requirements into the interface field's."""
    sdl = _interface_without_its_propagated_requirement(SUPERGRAPH)
    model = AuthorizationModel(load(sdl))
    assert model.type_requirement("Post") == Requirement(authenticated=True)
    assert model.field_rule("Post", "title").requirement == Requirement(
        authenticated=True
    ) & scopes(("drafts:read",))
    gateway = Gateway.from_supergraph_sdl(sdl, subgraph_urls=agency.urls)
    agency.made.append(gateway)
    for query in (
        "{ posts { id } }",
        "{ posts { __typename } }",
        "{ posts { ... on PublicPost { title } } }",
    ):
        assert await gateway.execute(query) == {"errors": [unauthorized("posts")], "data": None}
    # Post.title needs what PrivatePost.title needs (drafts:read), even for a PublicPost
    signed_in = await gateway.execute("{ posts { id title } }", identity=caller())
    assert signed_in == {
        "errors": [unauthorized("posts", 0, "title")],
        "data": None,
    }
    drafts = await gateway.execute("{ posts { id title } }", identity=caller("drafts:read"))
    assert drafts == {
        "data": {
            "posts": [{"id": "p1", "title": "Opening hours"}, {"id": "p2", "title": "Budget draft"}]
        }
    }
    # a fragment on the implementation is judged by that type alone
    public = await gateway.execute(
        "{ posts { ... on PublicPost { title } ... on PrivatePost { id } } }", identity=caller()
    )
    assert public == {"data": {"posts": [{"title": "Opening hours"}, {"id": "p2"}]}}
    assert agency.queries("accounts") == [
        "query{posts{__typename id}}",
        "query{posts{__typename id title}}",
        "query{posts{__typename ... on PrivatePost{id} ... on PublicPost{title}}}",
    ]
