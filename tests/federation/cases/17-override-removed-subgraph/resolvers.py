from tests.federation.subgraph import Resolvers

CASES = [{"ref": "C-1", "status": "open"}, {"ref": "C-2", "status": "waiting"}]
ASSIGNEES = {"C-1": "Ana", "C-2": "Raj"}


def build() -> dict[str, Resolvers]:
    return {
        "cases": {"Query.openCases": lambda _, __: CASES},
        "people": {"CaseFile": lambda rep: {"assignee": ASSIGNEES[rep["ref"]]}},
    }
