"""@skip/@include on a field at the end of a two-step @requires chain.

`needsPanel` needs `isLarge` (assessment), which needs `amount`
(applications). When the directive drops the field, the whole chain must be
dropped with it: the `...Never` resolvers fail if they are ever called, so a
gateway that runs the chain anyway shows an error.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

APPLICATION = {"id": "g1", "amount": 120000.0}


def _large(app: dict[str, Any]) -> bool:
    if not isinstance(app.get("isLarge"), bool):
        raise ValueError("isLarge is missing")
    return bool(app["isLarge"])


def _never(_app: dict[str, Any], _args: Any) -> bool:
    raise ValueError("this field is excluded by @skip/@include and must not be resolved")


def build() -> dict[str, Resolvers]:
    return {
        "applications": {
            "Query.application": lambda _, __: dict(APPLICATION),
            "Application": lambda rep: (
                dict(APPLICATION) if rep["id"] == APPLICATION["id"] else None
            ),
        },
        "assessment": {
            "Application.isLarge": lambda app, _: app["amount"] > 50000,
        },
        "approvals": {
            "Application.needsPanel": lambda app, _: _large(app),
            "Application.fastTrack": lambda app, _: not _large(app),
            "Application.panelNever": _never,
            "Application.fastTrackNever": _never,
        },
    }
