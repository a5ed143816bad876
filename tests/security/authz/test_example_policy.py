"""The example policy the docs' embedded engine names decides as its docstring says."""

from __future__ import annotations

from typing import Any

from resolvers.policies import treating_clinician


def _input(**caller: Any) -> dict[str, Any]:
    base = {"authenticated": True, "agency": "health", "purpose": "treatment"}
    return {**base, **caller, "claims": {}, "fields": [], "scopes": []}


def test_health_staff_treating_a_patient_are_granted() -> None:
    assert treating_clinician(_input()) is True


def test_another_agency_purpose_or_an_anonymous_caller_is_denied() -> None:
    assert treating_clinician(_input(agency="tax")) is False
    assert treating_clinician(_input(purpose="research")) is False
    assert treating_clinician(_input(purpose=None)) is False
    assert treating_clinician(_input(authenticated=False, agency=None, purpose=None)) is False
