"""@requires selections with nested interface fragments, over a type hidden by @inaccessible.

triage needs `detail` (owned by records) through fragments on an interface that
implements another interface, and on object types below it; one of those types,
`Incident`, is @inaccessible: clients never see it (an Incident `detail` is null
for them) but the gateway must still fetch its fields for the @requires
representation. Each computed field fails loudly when a required part is missing.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

DETAILS: dict[str, dict[str, Any]] = {
    "k1": {
        "__typename": "Incident",
        "summary": "Fallen tree",
        "flag": "urgent",
        "location": "Elm Road",
    },
    "k2": {
        "__typename": "Complaint",
        "summary": "Noise at night",
        "flag": "routine",
        "topic": "noise",
    },
}


def _priority(case: dict[str, Any], _args: Any) -> str:
    detail = case.get("detail")
    if not isinstance(detail, dict) or "summary" not in detail or "flag" not in detail:
        raise ValueError("Case.detail was not provided")
    where = detail.get("location") or detail.get("topic")
    if where is None:
        raise ValueError("Case.detail type fields were not provided")
    return f"{detail['flag']}: {detail['summary']} ({where})"


def _headline(case: dict[str, Any], _args: Any) -> str:
    detail = case.get("detail")
    if not isinstance(detail, dict) or "summary" not in detail:
        raise ValueError("Case.detail.summary was not provided")
    return str(detail["summary"]).upper()


def build() -> dict[str, Resolvers]:
    return {
        "records": {
            "Query.primary": lambda _, __: {"id": "k2", "detail": DETAILS["k2"]},
            "Case": lambda rep: {"id": rep["id"], "detail": DETAILS.get(rep["id"])},
        },
        "triage": {
            "Query.firstCase": lambda _, __: {"id": "k1"},
            "Query.secondCase": lambda _, __: {"id": "k2"},
            "Case": dict,
            "Case.priority": _priority,
            "Case.headline": _headline,
        },
    }
