"""A field overridden away from a subgraph that still @requires it, plus a third requirer.

registry took `title` over from intake (@override); intake and archive both keep
it @external and compute a label from it. Whatever subgraph the query starts in,
`title` must come from registry and be passed to each requirer; the label
resolvers fail loudly without it.
"""

from typing import Any

from tests.federation.subgraph import Resolvers

TITLES = {"f1": "Planning appeal", "f2": "Noise complaint", "f3": "Tree order"}


def _label(prefix: str) -> Any:
    def label(row: dict[str, Any], _args: Any) -> str:
        if not row.get("title"):
            raise ValueError("required field title was not provided")
        return f"{prefix}: {row['title']}"

    return label


def build() -> dict[str, Resolvers]:
    return {
        "intake": {
            "Query.fileInIntake": lambda _, __: {"id": "f1"},
            "File": dict,
            "File.intakeLabel": _label("intake"),
        },
        "registry": {
            "Query.fileInRegistry": lambda _, __: {"id": "f2", "title": TITLES["f2"]},
            "File": lambda rep: {"id": rep["id"], "title": TITLES.get(rep["id"])},
        },
        "archive": {
            "Query.fileInArchive": lambda _, __: {"id": "f3"},
            "File": dict,
            "File.archiveLabel": _label("archive"),
        },
    }
