"""Golden plans for the shop supergraph, reviewed for minimal fetch count.

Each plan below was checked by hand: no subgraph is asked twice in one wave and
no entity fetch is made for fields the previous subgraph could provide.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.gateway import Gateway

SUPERGRAPH = (Path(__file__).parent.parent / "gateway" / "supergraph.graphql").read_text()

CASES = {
    "requires_after_provider": (
        "{ me { name reviews { body product { name price shippingEstimate } } } }",
        """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        me {
          name
          __typename
          id
        }
      }
    },
    Flatten(path: "me") {
      Fetch(service: "reviews") {
        {
          ... on User { __typename id }
        } =>
        {
          ... on User {
            reviews {
              body
              product {
                __typename
                upc
              }
            }
          }
        }
      }
    },
    Flatten(path: "me.reviews.@.product") {
      Fetch(service: "products") {
        {
          ... on Product { __typename upc }
        } =>
        {
          ... on Product {
            name
            price
            weight
          }
        }
      }
    },
    Flatten(path: "me.reviews.@.product") {
      Fetch(service: "inventory") {
        {
          ... on Product { __typename upc price weight }
        } =>
        {
          ... on Product {
            shippingEstimate
          }
        }
      }
    }
  }
}
""",
    ),
    "mutation_fields_share_one_fetch": (
        'mutation { renameProduct(upc: "1", name: "x") { name reviews { body } } '
        'a: renameProduct(upc: "2", name: "y") { upc } }',
        """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        renameProduct(upc: "1", name: "x") {
          name
          __typename
          upc
        }
        a: renameProduct(upc: "2", name: "y") {
          upc
        }
      }
    },
    Flatten(path: "renameProduct") {
      Fetch(service: "reviews") {
        {
          ... on Product { __typename upc }
        } =>
        {
          ... on Product {
            reviews {
              body
            }
          }
        }
      }
    }
  }
}
""",
    ),
    "provides_skips_accounts_for_username": (
        "{ reviews { author { username name } product { inStock } } }",
        """\
QueryPlan {
  Sequence {
    Fetch(service: "reviews") {
      {
        reviews {
          author {
            username
            __typename
            id
          }
          product {
            __typename
            upc
          }
        }
      }
    },
    Parallel {
      Flatten(path: "reviews.@.author") {
        Fetch(service: "accounts") {
          {
            ... on User { __typename id }
          } =>
          {
            ... on User {
              name
            }
          }
        }
      },
      Flatten(path: "reviews.@.product") {
        Fetch(service: "inventory") {
          {
            ... on Product { __typename upc }
          } =>
          {
            ... on Product {
              inStock
            }
          }
        }
      }
    }
  }
}
""",
    ),
    "typename_only_needs_no_fetch": (
        "{ __typename }",
        """\
QueryPlan {
}
""",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_matches_golden(name: str) -> None:
    query, expected = CASES[name]
    gateway = Gateway.from_supergraph_sdl(SUPERGRAPH)
    assert str(gateway.plan(query)) + "\n" == expected


def test_plans_are_deterministic() -> None:
    query = CASES["requires_after_provider"][0]
    first = str(Gateway.from_supergraph_sdl(SUPERGRAPH).plan(query))
    assert all(str(Gateway.from_supergraph_sdl(SUPERGRAPH).plan(query)) == first for _ in range(3))


def test_plan_json_uses_apollo_field_names() -> None:
    plan = Gateway.from_supergraph_sdl(SUPERGRAPH).plan("{ topProducts { inStock } }")
    node = plan.to_json()["node"]
    assert node["kind"] == "Sequence"
    fetch, flatten = node["nodes"]
    assert (fetch["kind"], fetch["serviceName"]) == ("Fetch", "products")
    assert flatten["path"] == ["topProducts", "@"]
    assert flatten["node"]["requires"][0]["typeCondition"] == "Product"
