"""An overridden field reached through an interface the overriding subgraph does not share.

`PaperForm.filedOn` moved from paper to portal (@override). paper still has
`Query.forms: [Form]` and a stale `filedOn` resolver; the interface field
`Form.filedOn` must still be routed to portal for every PaperForm. portal has
`WebForm` as a Form implementation that paper's `forms` can never return, so
fragments on it select nothing from paper.
"""

from tests.federation.subgraph import Resolvers

PAPER = [{"id": "f1", "filedOn": "2026-01-14"}, {"id": "f2", "filedOn": "2026-02-03"}]


def build() -> dict[str, Resolvers]:
    def portal_paper(rep: dict[str, str]) -> dict[str, str] | None:
        return next((dict(p) for p in PAPER if p["id"] == rep["id"]), None)

    return {
        "paper": {
            "Query.forms": lambda _, __: [
                {"__typename": "PaperForm", "id": p["id"]} for p in PAPER
            ],
            "PaperForm": lambda rep: (
                {"id": rep["id"]} if any(p["id"] == rep["id"] for p in PAPER) else None
            ),
            "PaperForm.filedOn": lambda _, __: "stale: served by paper after the override",
        },
        "portal": {
            "Query.submissions": lambda _, __: [{"__typename": "PaperForm", **p} for p in PAPER],
            "PaperForm": portal_paper,
            "WebForm": lambda rep: {"id": rep["id"], "filedOn": "2026-03-01", "browser": "firefox"},
        },
    }
