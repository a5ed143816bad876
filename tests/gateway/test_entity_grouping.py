"""Objects at an entity fetch's path become one representation per distinct key.

The executor sends each distinct representation once and merges its answer into
every object it stands for; these tests pin down what "distinct" means: equal
required values of one type, never across types, with list- or object-valued
keys and nested required fields compared by their whole representation.
"""

from __future__ import annotations

from typing import Any

from aggregator.execution.entities import (
    RepresentationKey,
    group_by_representation,
    objects_at,
    paths_at,
)
from aggregator.planning.plan import RequiredField, RequiredType


def _keys(*types: RequiredType) -> dict[str, RepresentationKey]:
    return {t.type_name: RepresentationKey(t) for t in types}


UPC = RequiredType("Product", "Product", (RequiredField("upc", "upc"),))
USER_ID = RequiredType("User", "User", (RequiredField("id", "id"),))


def test_equal_keys_share_one_representation_in_first_seen_order() -> None:
    objects = [
        {"__typename": "Product", "upc": "2", "name": "a"},
        {"__typename": "Product", "upc": "1"},
        {"__typename": "Product", "upc": "2", "name": "b"},
    ]
    reps, targets = group_by_representation(objects, _keys(UPC))
    assert reps == [{"__typename": "Product", "upc": "2"}, {"__typename": "Product", "upc": "1"}]
    assert targets == [[objects[0], objects[2]], [objects[1]]]
    assert targets[0][0] is objects[0]


def test_other_types_and_objects_missing_a_key_field_get_no_representation() -> None:
    objects = [
        {"__typename": "Review", "upc": "1"},
        {"__typename": "Product"},
        {"__typename": "Product", "upc": None},
    ]
    reps, targets = group_by_representation(objects, _keys(UPC))
    # a null key is still a value the subgraph is asked about (it answers null)
    assert reps == [{"__typename": "Product", "upc": None}]
    assert targets == [[objects[2]]]


def test_equal_key_values_of_two_types_are_different_entities() -> None:
    objects = [{"__typename": "Product", "upc": "1"}, {"__typename": "User", "id": "1"}]
    reps, _ = group_by_representation(
        objects,
        _keys(
            UPC,
            RequiredType("User", "User", (RequiredField("upc", "id"),)),
        ),
    )
    assert reps == [{"__typename": "Product", "upc": "1"}, {"__typename": "User", "upc": "1"}]


def test_list_and_object_key_values_compare_by_value() -> None:
    composite = RequiredType(
        "Shipment",
        "Shipment",
        (RequiredField("ids", "ids"), RequiredField("where", "where")),
    )
    objects = [
        {"__typename": "Shipment", "ids": [1, 2], "where": {"x": 1}},
        {"__typename": "Shipment", "ids": [1, 2], "where": {"x": 1}},
        {"__typename": "Shipment", "ids": [2, 1], "where": {"x": 1}},
    ]
    reps, targets = group_by_representation(objects, _keys(composite))
    assert [r["ids"] for r in reps] == [[1, 2], [2, 1]]
    assert [len(t) for t in targets] == [2, 1]


def test_nested_required_fields_keep_only_what_was_asked() -> None:
    nested = RequiredType(
        "Product",
        "Product",
        (
            RequiredField("upc", "upc"),
            RequiredField("dimensions", "dimensions", (RequiredField("size", "size"),)),
        ),
    )
    objects = [
        {"__typename": "Product", "upc": "1", "dimensions": {"size": 3, "weight": 9}},
        {"__typename": "Product", "upc": "1", "dimensions": {"size": 3, "weight": 8}},
        {"__typename": "Product", "upc": "1", "dimensions": {"size": 4}},
    ]
    reps, targets = group_by_representation(objects, _keys(nested))
    assert reps == [
        {"__typename": "Product", "upc": "1", "dimensions": {"size": 3}},
        {"__typename": "Product", "upc": "1", "dimensions": {"size": 4}},
    ]
    assert [len(t) for t in targets] == [2, 1]


def test_walks_skip_nulls_and_non_objects_and_paths_match_them() -> None:
    data: dict[str, Any] = {
        "users": [
            {"reviews": [{"product": {"upc": "1"}}, None, {"product": None}]},
            None,
            {"reviews": [[{"product": {"upc": "nested list"}}], {"product": "not an object"}]},
            {"reviews": [{"product": {"upc": "2"}}]},
        ]
    }
    path = ("users", "@", "reviews", "@", "product")
    found = objects_at(data, path)
    assert [o["upc"] for o in found] == ["1", "2"]
    assert [(o["upc"], where) for o, where in paths_at(data, path)] == [
        ("1", ("users", 0, "reviews", 0, "product")),
        ("2", ("users", 3, "reviews", 0, "product")),
    ]
