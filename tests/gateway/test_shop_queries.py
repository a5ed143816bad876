"""End-to-end queries over four real subgraphs, through the gateway's HTTP endpoint."""

from __future__ import annotations

from tests.gateway.conftest import Shop

DEEP = """
query Deep {
  topProducts(first: 2) {
    name
    shippingEstimate
    inStock
    reviews { body author { name username reviews { product { name } } } }
  }
}
"""


async def test_deep_query_crosses_all_subgraphs_with_one_request_each(shop: Shop) -> None:
    shop.reset_counts()
    status, body = await shop.post({"query": DEEP})
    assert status == 200
    assert "errors" not in body
    first = body["data"]["topProducts"][0]
    assert first == {
        "name": "Table",
        "shippingEstimate": 50,
        "inStock": True,
        "reviews": [
            {
                "body": "Love it!",
                "author": {
                    "name": "Ada Lovelace",
                    "username": "@ada",
                    "reviews": [{"product": {"name": "Table"}}, {"product": {"name": "Couch"}}],
                },
            },
            {
                "body": "Prefer something else.",
                "author": {
                    "name": "Alan Turing",
                    "username": "@complete",
                    "reviews": [{"product": {"name": "Chair"}}, {"product": {"name": "Table"}}],
                },
            },
        ],
    }
    # products is asked twice (root, then names of nested products) but in one wave
    assert shop.counts() == {"products": 2, "inventory": 1, "reviews": 1, "accounts": 1}


async def test_aliases_fragments_and_typename_keep_client_shape(shop: Shop) -> None:
    query = """
    query { a: me { ...U } b: me { id who: name } __typename }
    fragment U on User { __typename id name }
    """
    status, body = await shop.post({"query": query})
    assert status == 200
    assert body == {
        "data": {
            "a": {"__typename": "User", "id": "1", "name": "Ada Lovelace"},
            "b": {"id": "1", "who": "Ada Lovelace"},
            "__typename": "Query",
        }
    }
    assert list(body["data"]["a"]) == ["__typename", "id", "name"]


async def test_same_field_with_different_arguments_under_two_aliases(shop: Shop) -> None:
    query = "{ one: topProducts(first: 1) { upc } two: topProducts(first: 3) { upc } }"
    status, body = await shop.post({"query": query})
    assert status == 200
    assert body["data"] == {
        "one": [{"upc": "1"}],
        "two": [{"upc": "1"}, {"upc": "2"}, {"upc": "3"}],
    }


async def test_skip_and_include_follow_variables(shop: Shop) -> None:
    query = """
    query($withStock: Boolean!, $noName: Boolean!) {
      topProducts(first: 1) { upc name @skip(if: $noName) inStock @include(if: $withStock) }
    }
    """
    shop.reset_counts()
    _, on = await shop.post({"query": query, "variables": {"withStock": True, "noName": True}})
    assert on["data"] == {"topProducts": [{"upc": "1", "inStock": True}]}
    shop.reset_counts()
    _, off = await shop.post({"query": query, "variables": {"withStock": False, "noName": False}})
    assert off["data"] == {"topProducts": [{"upc": "1", "name": "Table"}]}
    assert "inventory" not in shop.counts()


async def test_variables_reach_subgraphs(shop: Shop) -> None:
    query = "query($id: ID!) { user(id: $id) { name reviews { body } } }"
    status, body = await shop.post({"query": query, "variables": {"id": "2"}})
    assert status == 200
    assert body["data"] == {
        "user": {
            "name": "Alan Turing",
            "reviews": [{"body": "Could be better."}, {"body": "Prefer something else."}],
        }
    }


async def test_provides_avoids_an_entity_fetch(shop: Shop) -> None:
    shop.reset_counts()
    status, body = await shop.post({"query": "{ reviews { author { username } } }"})
    assert status == 200
    assert body["data"]["reviews"][0] == {"author": {"username": "@ada"}}
    assert shop.counts() == {"reviews": 1}


async def test_introspection_is_answered_by_the_gateway(shop: Shop) -> None:
    query = '{ __type(name: "Product") { fields { name } } me { id } }'
    status, body = await shop.post({"query": query})
    assert status == 200
    names = [f["name"] for f in body["data"]["__type"]["fields"]]
    assert sorted(names) == sorted(
        ["upc", "name", "price", "weight", "inStock", "shippingEstimate", "reviews"]
    )
    assert body["data"]["me"] == {"id": "1"}
    assert list(body["data"]) == ["__type", "me"]
