"""``@sensitive``: masking unless the caller holds the unmask scopes, and purpose of use.

The fixture's accounts subgraph declares the directive through ``@link`` and
``@composeDirective``, and @apollo/composition carried it into the supergraph.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aggregator.security.masking import MaskError, compile_mask
from tests.security.authz.conftest import Agency, caller
from tests.security.authz.test_enforcement import unauthorized


async def test_sensitive_value_is_masked_without_the_unmask_scope(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    gateway = agency.gateway()
    query = '{ user(id: "1") { username taxFileNumber licence } }'
    masked = await gateway.execute(query, identity=caller("read:email"))
    # taxFileNumber: default mask (last 4); licence: scalar-level mask "first2"
    assert masked == {
        "data": {
            "user": {"username": "ada", "taxFileNumber": "*****6782", "licence": "NS**********"}
        }
    }
    unmasked = await gateway.execute(query, identity=caller("tax:unmask"))
    assert unmasked == {
        "data": {
            "user": {"username": "ada", "taxFileNumber": "123456782", "licence": "NS**********"}
        }
    }
    # the subgraph is asked the same thing either way: masking happens in the gateway
    assert agency.queries("accounts")[0] == agency.queries("accounts")[1]


async def test_masking_applies_to_anonymous_callers_and_list_items(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    gateway = agency.gateway()
    result = await gateway.execute("{ members { taxFileNumber } }")
    assert result == {
        "data": {"members": [{"taxFileNumber": "*****6782"}, {"taxFileNumber": "*****3210"}]}
    }


async def test_masked_and_unmasked_callers_never_share_a_plan(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """The unmask grant is part of the plan key: a masked plan is never reused for a caller
    who may see the value, nor the other way round."""
    gateway = agency.gateway()
    query = '{ user(id: "2") { taxFileNumber } }'
    for _ in range(2):
        first = await gateway.execute(query, identity=caller("tax:unmask", subject="a"))
        second = await gateway.execute(query, identity=caller(subject="b"))
        assert first["data"] == {"user": {"taxFileNumber": "876543210"}}
        assert second["data"] == {"user": {"taxFileNumber": "*****3210"}}


async def test_purpose_of_use_releases_only_for_listed_purposes(
    agency: Agency, fresh: Callable[[], None]
) -> None:
    """``medicalNote @sensitive(mask: "none", purposes: ["treatment"])``: a caller whose
    declared purpose is not listed is treated like an unauthorized one."""
    gateway = agency.gateway()
    query = '{ user(id: "1") { username medicalNote } }'
    treating = await gateway.execute(query, identity=caller(purpose="treatment"))
    assert treating == {"data": {"user": {"username": "ada", "medicalNote": "penicillin allergy"}}}
    for identity in (caller(purpose="marketing"), caller(), None):
        result = await gateway.execute(query, identity=identity)
        assert result == {
            "errors": [unauthorized("user", "medicalNote")],
            "data": {"user": {"username": "ada", "medicalNote": None}},
        }
    queries = agency.queries("accounts")
    assert queries[0] == 'query{user(id: "1"){username medicalNote}}'
    assert all("medicalNote" not in q for q in queries[1:])


@pytest.mark.parametrize(
    ("style", "value", "expected"),
    [
        ("last4", "123456782", "*****6782"),
        ("last4", "1234", "****"),
        ("last4", "12", "**"),
        ("first2", "NSW-1", "NS***"),
        ("last1", 12345, "****5"),
        ("all", "secret", "********"),
        ("all", "", "********"),
        ("last4", None, None),
    ],
)
def test_mask_styles(style: str, value: object, expected: object) -> None:
    mask = compile_mask(style)
    assert mask is not None
    assert mask(value) == expected


def test_mask_none_and_unknown_styles() -> None:
    assert compile_mask("none") is None
    for bad in ("last0", "last100", "middle4", "LAST4", ""):
        with pytest.raises(MaskError):
            compile_mask(bad)
