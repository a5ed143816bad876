"""Authorization directives enforced end to end against real subgraph servers.

Expected responses follow Apollo Router's documented behaviour
(https://www.apollographql.com/docs/graphos/routing/security/authorization):
a withheld field is null with ``{"message": "Unauthorized field or type",
"path": [...], "extensions": {"code": "UNAUTHORIZED_FIELD_OR_TYPE"}}`` at its
path, null propagating by the GraphQL spec's rules, and the subgraphs are never
asked for it.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.security.authz.conftest import Agency, caller


def unauthorized(*path: str | int) -> dict[str, object]:
    return {
        "message": "Unauthorized field or type",
        "path": list(path),
        "extensions": {"code": "UNAUTHORIZED_FIELD_OR_TYPE"},
    }


async def test_anonymous_caller_gets_everything_else_and_backends_never_see_withheld_fields(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    # Apollo's @authenticated example: `me` and `post.views` are null with an error each,
    # the rest of the operation is answered.
    gateway = agency.gateway()
    result = await gateway.execute('{ motd me { username } user(id: "2") { username email } }')
    assert result == {
        "errors": [unauthorized("me"), unauthorized("user", "email")],
        "data": {"motd": "welcome", "me": None, "user": {"username": "bob", "email": None}},
    }
    # one request, and neither `me` nor `email` in it
    assert agency.queries("accounts") == ['query{motd user(id: "2"){username}}']
    assert agency.queries("reviews") == []


async def test_granted_caller_gets_everything(agency: Agency, fresh: Callable[[], None]) -> None:
    gateway = agency.gateway()
    result = await gateway.execute(
        '{ me { username } user(id: "2") { username email } }', identity=caller("read:email")
    )
    assert result == {
        "data": {
            "me": {"username": "ada"},
            "user": {"username": "bob", "email": "bob@agency.example"},
        }
    }
    assert agency.queries("accounts") == ['query{me{username} user(id: "2"){username email}}']


async def test_every_root_field_withheld_answers_without_calling_any_subgraph(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    gateway = agency.gateway()
    result = await gateway.execute("{ me { username } stats { count } }")
    assert result == {
        "errors": [unauthorized("me"), unauthorized("stats")],
        "data": {"me": None, "stats": None},
    }
    assert agency.all_queries() == ""


async def test_requires_scopes_truth_table(agency: Agency, fresh: Callable[[], None]) -> None:
    """``notes: @requiresScopes(scopes: [["admin"], ["support", "notes:read"]])``:
    outer list OR, inner list AND (Apollo's "Combining required scopes")."""
    gateway = agency.gateway()
    query = '{ user(id: "1") { notes } }'
    table = {
        (): False,
        ("admin",): True,
        ("support",): False,
        ("notes:read",): False,
        ("support", "notes:read"): True,
        ("admin", "support"): True,
        ("other",): False,
    }
    for scopes, allowed in table.items():
        result = await gateway.execute(query, identity=caller(*scopes))
        if allowed:
            assert result == {"data": {"user": {"notes": ["prefers email"]}}}, scopes
        else:
            assert result == {
                "errors": [unauthorized("user", "notes")],
                "data": {"user": {"notes": None}},
            }, scopes
    # anonymous: no scopes at all
    assert (await gateway.execute(query))["data"] == {"user": {"notes": None}}


async def test_empty_scope_lists_fail_closed(agency: Agency, fresh: Callable[[], None]) -> None:
    """``[[]]`` needs only an authenticated caller; ``[]`` offers no alternative, so nobody
    sees it (Apollo Router would treat ``[]`` as no requirement: we fail closed)."""
    gateway = agency.gateway()
    anonymous = await gateway.execute("{ anyone nobody }")
    assert anonymous == {
        "errors": [unauthorized("anyone"), unauthorized("nobody")],
        "data": {"anyone": None, "nobody": None},
    }
    signed_in = await gateway.execute("{ anyone nobody }", identity=caller("admin"))
    assert signed_in == {
        "errors": [unauthorized("nobody")],
        "data": {"anyone": "any authenticated caller", "nobody": None},
    }
    assert "nobody" not in agency.all_queries()


async def test_type_level_requirements_on_objects_enums_and_scalars(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """A requirement on a type applies to every field returning it: ``Stats`` (object,
    ``stats:read``), ``Role`` (enum, ``roles:read``), ``Money`` (scalar, ``@authenticated``)."""
    gateway = agency.gateway()
    query = '{ stats { count } user(id: "1") { username role salary } }'
    anonymous = await gateway.execute(query)
    assert anonymous == {
        "errors": [
            unauthorized("stats"),
            unauthorized("user", "role"),
            unauthorized("user", "salary"),
        ],
        "data": {"stats": None, "user": {"username": "ada", "role": None, "salary": None}},
    }
    some = await gateway.execute(query, identity=caller("roles:read"))
    assert some == {
        "errors": [unauthorized("stats")],
        "data": {"stats": None, "user": {"username": "ada", "role": "ADMIN", "salary": "120000"}},
    }
    everything = await gateway.execute(query, identity=caller("roles:read", "stats:read"))
    assert everything == {
        "data": {
            "stats": {"count": 2},
            "user": {"username": "ada", "role": "ADMIN", "salary": "120000"},
        }
    }
    queries = agency.queries("accounts")
    assert queries[0] == 'query{user(id: "1"){username}}'
    assert queries[1] == 'query{user(id: "1"){username role salary}}'


async def test_null_propagates_through_non_null_parents(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """``User.phone: String! @authenticated``: the null cannot stay at ``phone``, so the
    nearest nullable parent becomes null (GraphQL spec, "Handling Field Errors")."""
    gateway = agency.gateway()
    result = await gateway.execute('{ motd user(id: "1") { username phone } }')
    assert result == {
        "errors": [unauthorized("user", "phone")],
        "data": {"motd": "welcome", "user": None},
    }


async def test_null_propagation_through_lists(agency: Agency, fresh: Callable[[], None]) -> None:
    """``members: [User]``: each item is nulled on its own; ``users: [User!]``: a non-null
    item takes the whole list (graphql-js stops at the first error of such a list)."""
    gateway = agency.gateway()
    result = await gateway.execute("{ members { username phone } users { username phone } }")
    assert result == {
        "errors": [
            unauthorized("members", 0, "phone"),
            unauthorized("members", 1, "phone"),
            unauthorized("users", 0, "phone"),
        ],
        "data": {"members": [None, None], "users": None},
    }
    assert agency.queries("accounts") == ["query{members{username} users{username}}"]


async def test_denied_root_field_of_non_null_type_nulls_data(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """``posts: [Post!]!`` returns an interface Apollo composition marked @authenticated (an
    implementation is): an anonymous caller's ``posts`` is null, so ``data`` is null."""
    gateway = agency.gateway()
    assert await gateway.execute("{ posts { title } }") == {
        "errors": [unauthorized("posts")],
        "data": None,
    }
    assert agency.all_queries() == ""


async def test_fragments_on_denied_types_are_dropped(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """Apollo's "Authorization and interfaces": asking for each implementation in its own
    fragment keeps the authorized ones; the fragment on ``PrivatePost`` is removed, objects
    of that type come back without its fields and with an error at their path."""
    gateway = agency.gateway()
    query = "{ search { __typename ... on PublicPost { title } ... on PrivatePost { title } } }"
    result = await gateway.execute(query)
    assert result == {
        "errors": [unauthorized("search", 1)],
        "data": {
            "search": [
                {"__typename": "PublicPost", "title": "Opening hours"},
                {"__typename": "PrivatePost"},
            ]
        },
    }
    assert agency.queries("accounts") == ["query{search{__typename ... on PublicPost{title}}}"]
    agency.reset()
    signed_in = await gateway.execute(query, identity=caller())
    assert signed_in == {
        "data": {
            "search": [
                {"__typename": "PublicPost", "title": "Opening hours"},
                {"__typename": "PrivatePost", "title": "Budget draft"},
            ]
        }
    }


async def test_key_fields_are_used_but_not_returned(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """Apollo's "Authorization and @key fields": ``User.id`` is @authenticated, yet an
    anonymous caller's request still joins accounts and reviews through it; asking for
    ``id`` itself is withheld (and, being non-null, nulls the user)."""
    gateway = agency.gateway()
    result = await gateway.execute('{ user(id: "1") { username reviewCount } }')
    assert result == {"data": {"user": {"username": "ada", "reviewCount": 3}}}
    assert agency.queries("accounts") == ['query{user(id: "1"){username __typename id}}']
    assert len(agency.queries("reviews")) == 1
    assert await gateway.execute('{ user(id: "1") { id username } }') == {
        "errors": [unauthorized("user", "id")],
        "data": {"user": None},
    }


async def test_requires_inputs_are_fetched_but_not_returned(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """``emailDomain @requires(fields: "email")``: the gateway fetches the protected
    ``email`` to hand it to reviews, and the client never sees it."""
    gateway = agency.gateway()
    result = await gateway.execute(
        '{ user(id: "1") { username emailDomain } }', identity=caller("read:email")
    )
    assert result == {"data": {"user": {"username": "ada", "emailDomain": "agency.example"}}}
    assert "email" in agency.queries("accounts")[0]
    representations = agency.subgraphs["reviews"].requests[0]["variables"]["representations"]
    assert representations == [{"__typename": "User", "id": "1", "email": "ada@agency.example"}]
    # without the scope the requiring field is withheld and email is not fetched at all
    agency.reset()
    anonymous = await gateway.execute('{ user(id: "1") { username emailDomain } }')
    assert anonymous == {
        "errors": [unauthorized("user", "emailDomain")],
        "data": {"user": {"username": "ada", "emailDomain": None}},
    }
    assert agency.queries("accounts") == ['query{user(id: "1"){username}}']
    assert agency.queries("reviews") == []


async def test_aliases_and_fragments_report_the_client_path(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    gateway = agency.gateway()
    query = """
      query Q { who: user(id: "2") { ...Bits } }
      fragment Bits on User { name: username mail: email }
    """
    assert await gateway.execute(query) == {
        "errors": [unauthorized("who", "mail")],
        "data": {"who": {"name": "bob", "mail": None}},
    }


async def test_skip_and_include_decide_before_authorization(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    gateway = agency.gateway()
    query = "query($s: Boolean!) { motd me @skip(if: $s) { username } }"
    assert await gateway.execute(query, {"s": True}) == {"data": {"motd": "welcome"}}
    assert await gateway.execute(query, {"s": False}) == {
        "errors": [unauthorized("me")],
        "data": {"motd": "welcome", "me": None},
    }
