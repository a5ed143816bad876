"""The benchmark's fixed data set, value for value,
so the expected response matches other runs of it.

Source: the reference subgraphs of The Guild's federation gateways benchmark
(github.com/graphql-hive/graphql-gateways-benchmark, ``federation/subgraphs/*``,
MIT licence, (c) 2023 The Guild). Only the data is taken (users, products,
inventory, reviews); the resolvers here are this project's own.

Plain dicts: graphql-core's default resolver reads them by key, and the
``__typename`` entries let the ``_Entity`` union resolve without lookups.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]

_BIRTHDAY = 1234567890

USERS: list[Record] = [
    {"__typename": "User", "id": uid, "name": name, "username": username, "birthday": _BIRTHDAY}
    for uid, name, username in [
        ("1", "Uri Goldshtein", "urigo"),
        ("2", "Dotan Simha", "dotansimha"),
        ("3", "Kamil Kisiela", "kamilkisiela"),
        ("4", "Arda Tanrikulu", "ardatan"),
        ("5", "Gil Gardosh", "gilgardosh"),
        ("6", "Laurin Quast", "laurin"),
    ]
]

# (upc, name, price, weight) as the products subgraph owns them.
PRODUCTS: list[Record] = [
    {"__typename": "Product", "upc": upc, "name": name, "price": price, "weight": weight}
    for upc, name, price, weight in [
        ("1", "Table", 899, 100),
        ("2", "Couch", 1299, 1000),
        ("3", "Glass", 15, 20),
        ("4", "Chair", 499, 100),
        ("5", "TV", 1299, 1000),
        ("6", "Lamp", 6999, 300),
        ("7", "Grill", 3999, 2000),
        ("8", "Fridge", 100000, 6000),
        ("9", "Sofa", 9999, 800),
    ]
]

# upc -> inStock as the inventory subgraph owns it.
IN_STOCK: dict[str, bool] = {
    "1": True,
    "2": False,
    "3": False,
    "4": False,
    "5": True,
    "6": True,
    "7": True,
    "8": False,
    "9": True,
}

_LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt"
    " ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation"
    " ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in"
    " reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur"
    " sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id"
    " est laborum."
)
_SED_UT = (
    "Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque"
    " laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi"
    " architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas"
    " sit aspernatur aut odit aut fugi"
)
_SED_QUIA = (
    "sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro"
    " quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia"
    " non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat"
    " voluptatem."
)
_UT_ENIM = (
    "Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam,"
    " nisi ut aliquid ex ea commodi consequatur? Quis autem"
)
_AT_VERO = (
    "At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium"
    " voluptatum deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati"
    " cupiditate non provident, similique sunt in culpa qui officia deserunt mollitia animi, id"
    " est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam"
    " libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod"
    " maxime placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus."
    " Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet"
    " ut et voluptates repudiandae sint et molestiae non recusandae. Itaque earum rerum hic"
    " tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias consequatur aut"
    " perferendis doloribus asperiores repellat."
)

# (review id, body, product upc) as the reviews subgraph owns them.
REVIEWS: list[Record] = [
    {"__typename": "Review", "id": rid, "body": body, "product_upc": upc}
    for rid, body, upc in [
        ("1", _LOREM, "1"),
        ("2", _SED_UT, "1"),
        ("3", _SED_QUIA, "1"),
        ("4", _UT_ENIM, "1"),
        ("5", _LOREM, "2"),
        ("6", _SED_UT, "2"),
        ("7", _SED_QUIA, "2"),
        ("8", _UT_ENIM, "2"),
        ("9", _UT_ENIM, "3"),
        ("10", _UT_ENIM, "4"),
        ("11", _AT_VERO, "4"),
    ]
]
